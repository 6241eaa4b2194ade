// Show the statement date only for billing complaints. Without this script the field
// simply stays visible; the server ignores it for other categories.
document.addEventListener("DOMContentLoaded", function () {
  var category = document.getElementById("id_category");
  var statementDate = document.getElementById("div_id_statement_date");
  if (!category || !statementDate) {
    return;
  }
  var billing = (category.dataset.billingCategories || "").split(" ");
  function update() {
    statementDate.hidden = billing.indexOf(category.value) === -1;
  }
  category.addEventListener("change", update);
  update();
});
