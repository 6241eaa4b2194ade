// Saved replies on a complaint's page (templates/admin/desk/_saved_replies.html): choose one and
// insert it into the message, to edit before sending. Without this script the picker stays
// hidden and the filled-in texts are there to read and copy.
"use strict";

function insertSavedReply(textarea, text) {
  if (textarea.value.trim() === "") {
    textarea.value = text;
    textarea.setSelectionRange(text.length, text.length);
  } else {
    textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
  }
  // Tell other scripts watching the message (a counter, say) that it changed.
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
  textarea.focus();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-saved-replies-for]").forEach((box) => {
    const textarea = document.getElementById(box.dataset.savedRepliesFor);
    const picker = box.querySelector("[data-saved-replies-picker]");
    if (!textarea || !picker) {
      return;
    }
    const select = picker.querySelector("select");
    picker.querySelector("[data-saved-replies-insert]").addEventListener("click", () => {
      const option = select.selectedOptions[0];
      if (!option || !option.value) {
        select.focus();
        return;
      }
      insertSavedReply(textarea, option.dataset.text);
    });
    picker.hidden = false;
  });
});
