// The desk's keyboard shortcuts, on the complaint list and on a complaint's page (docs/desk.md).
//
// A key does nothing while the agent types (in a field, or with Ctrl, Alt or Cmd held), so a
// shortcut never eats a letter. The list keeps its order of complaints in sessionStorage, so a
// complaint's page can step to the next or previous complaint of the list it was opened from.
// The admin loads this file in the head of the list and deferred on a complaint's page.
"use strict";
{
  const LIST = "desk.list"; // {url: the list's address, items: its complaints' addresses}
  const LAST = "desk.lastComplaint"; // the path of the complaint opened last, to find on the list

  function isTyping(event) {
    const target = event.target;
    return event.ctrlKey || event.altKey || event.metaKey || event.isComposing ||
      (target instanceof Element &&
       (target.isContentEditable || target.closest("input, textarea, select, [contenteditable]") !== null));
  }

  function savedList() {
    try {
      return JSON.parse(sessionStorage.getItem(LIST)) || {url: null, items: []};
    } catch (error) {
      return {url: null, items: []};
    }
  }

  function pathOf(address) {
    return new URL(address, location.href).pathname;
  }

  function say(name) {
    // The words live in the help panel's template, one data attribute per message.
    const status = document.getElementById("desk-shortcuts-status");
    const panel = document.getElementById("desk-shortcuts");
    if (status && panel) {
      status.textContent = panel.dataset[name] || "";
    }
  }

  function listKeys() {
    const rows = Array.from(document.querySelectorAll("#result_list tbody tr"));
    // The first link of a row opens its complaint.
    const links = rows.map((row) => row.querySelector("a[href]"));
    sessionStorage.setItem(LIST, JSON.stringify({url: location.href, items: links.map((link) => link && link.href)}));
    let current = -1;

    function highlight(index) {
      if (rows.length === 0) {
        return;
      }
      if (current >= 0) {
        rows[current].classList.remove("desk-current");
        rows[current].removeAttribute("aria-current");
      }
      current = Math.max(0, Math.min(rows.length - 1, index));
      const row = rows[current];
      row.classList.add("desk-current");
      row.setAttribute("aria-current", "true");
      // Focus on the link lets Enter open it and a screen reader say which complaint it is.
      if (links[current]) {
        links[current].focus({preventScroll: true});
      }
      row.scrollIntoView({block: "nearest"});
    }

    function open() {
      if (current >= 0 && links[current]) {
        links[current].click();
      }
    }

    // Back from a complaint, the list shows where the agent was.
    const last = sessionStorage.getItem(LAST);
    const lastIndex = links.findIndex((link) => link && pathOf(link.href) === last);
    if (lastIndex >= 0) {
      highlight(lastIndex);
    }

    return {
      j: () => highlight(current + 1),
      k: () => highlight(current < 0 ? 0 : current - 1),
      o: open,
      Enter: (event) => {
        // On a focused link or button Enter already does its own job.
        if (!event.target.closest("a, button, summary")) {
          open();
          return true;
        }
        return false;
      },
      x: () => {
        const box = current >= 0 && rows[current].querySelector("input.action-select");
        if (box) {
          box.click(); // a click, so the admin's actions script counts the selection
        }
      },
      "/": () => {
        const search = document.getElementById("searchbar");
        if (search) {
          search.focus();
          search.select();
        }
      },
    };
  }

  function complaintKeys() {
    sessionStorage.setItem(LAST, location.pathname);
    const list = savedList();
    const here = list.items.findIndex((address) => address && pathOf(address) === location.pathname);

    function step(by) {
      if (here < 0) {
        say("notOnList");
        return;
      }
      const next = list.items[here + by];
      if (next) {
        location.assign(next);
      } else {
        say(by > 0 ? "lastOnList" : "firstOnList");
      }
    }

    return {
      j: () => step(1),
      k: () => step(-1),
      r: () => {
        const reply = document.getElementById("action-reply");
        const body = document.getElementById("id_reply-body");
        if (!reply || !body) {
          say("noReply");
          return;
        }
        reply.open = true;
        body.focus();
      },
      a: () => {
        const assign = document.getElementById("desk-assign-to-me");
        if (assign) {
          assign.click();
        } else {
          say("noAssign");
        }
      },
      u: () => {
        const panel = document.getElementById("desk-shortcuts");
        const fallback = panel ? panel.dataset.listUrl : null;
        const address = here >= 0 && list.url ? list.url : fallback;
        if (address) {
          location.assign(address);
        }
      },
    };
  }

  function start() {
    const body = document.body.classList;
    let keys;
    if (body.contains("change-list") && body.contains("model-complaint")) {
      keys = listKeys();
    } else if (body.contains("desk-complaint")) {
      keys = complaintKeys();
    } else {
      return;
    }

    const panel = document.getElementById("desk-shortcuts");
    const showHelp = () => {
      if (panel && !panel.open) {
        panel.showModal();
      }
    };
    keys["?"] = showHelp;
    document.querySelectorAll("[data-desk-shortcuts-open]").forEach((button) => {
      button.addEventListener("click", showHelp);
    });
    if (panel) {
      // Escape closes the modal panel by itself; so do its button and a click outside it.
      panel.querySelectorAll("[data-desk-shortcuts-close]").forEach((button) => {
        button.addEventListener("click", () => panel.close());
      });
      panel.addEventListener("click", (event) => {
        if (event.target === panel) {
          panel.close();
        }
      });
    }

    document.addEventListener("keydown", (event) => {
      if (isTyping(event) || (panel && panel.open) || !Object.hasOwn(keys, event.key)) {
        return;
      }
      if (keys[event.key](event) !== false) {
        event.preventDefault(); // so the key is not typed where a shortcut moved the focus
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}
