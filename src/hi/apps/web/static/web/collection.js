/* hi: reorder a collection's members by drag and drop or with the up/down buttons; the order is saved
   with the form ("order": comma-separated entity ids). */
(function () {
  "use strict";
  var list = document.getElementById("members"), field = document.getElementById("member-order");
  if (!list || !field) { return; }
  function sync() {
    field.value = Array.prototype.map.call(list.querySelectorAll("[data-entity-id]"), function (li) {
      return li.dataset.entityId;
    }).join(",");
  }
  var dragged = null;
  list.addEventListener("dragstart", function (evt) {
    dragged = evt.target.closest("[data-entity-id]");
    if (dragged) { evt.dataTransfer.effectAllowed = "move"; evt.dataTransfer.setData("text/plain", dragged.dataset.entityId); }
  });
  list.addEventListener("dragover", function (evt) {
    var over = evt.target.closest("[data-entity-id]");
    if (!dragged || !over || over === dragged) { return; }
    evt.preventDefault();
    var box = over.getBoundingClientRect();
    list.insertBefore(dragged, evt.clientY > box.top + box.height / 2 ? over.nextSibling : over);
  });
  list.addEventListener("drop", function (evt) { evt.preventDefault(); dragged = null; sync(); });
  list.addEventListener("dragend", function () { dragged = null; sync(); });
  list.addEventListener("click", function (evt) {
    var li = evt.target.closest("[data-entity-id]");
    if (!li) { return; }
    if (evt.target.closest(".move-up") && li.previousElementSibling) {
      list.insertBefore(li, li.previousElementSibling); sync(); li.querySelector(".move-up").focus();
    } else if (evt.target.closest(".move-down") && li.nextElementSibling) {
      list.insertBefore(li.nextElementSibling, li); sync(); li.querySelector(".move-down").focus();
    }
  });
})();
