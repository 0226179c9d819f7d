/* Names for the admin's controls that Django and select2 render without one, so a screen reader
   can say what each is (docs/quality.md, the pages):
   - a field in a tabular inline row (attendance on a meeting, appointments on a person) is
     named after its column's header;
   - select2's autocomplete box is named after the <select> it stands for;
   - a date-and-time field's two boxes (Django's split widget: the field's name is its
     fieldset's legend, each box has only a "Date:"/"Time:" text before it) are named after
     both: "开始时间 日期", "开始时间 时间".
   Rows added with "add another" and boxes select2 draws later are named as they appear. */
"use strict";
(function () {
  function columnHeader(cell) {
    const table = cell.closest("table");
    const headers = table && table.querySelectorAll("thead th");
    if (!headers || !headers.length) return "";
    let column = 0;
    for (let sibling = cell.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
      column += sibling.colSpan || 1;
    }
    let seen = 0;
    for (const header of headers) {
      seen += header.colSpan || 1;
      if (seen > column) return header.textContent.trim();
    }
    return "";
  }

  function labelOf(control) {
    if (control.id) {
      const label = document.querySelector(`label[for="${CSS.escape(control.id)}"]`);
      if (label && label.textContent.trim()) return label.textContent.trim().replace(/[:：]$/, "");
    }
    const cell = control.closest(".tabular td");
    return cell ? columnHeader(cell) : "";
  }

  function textBefore(control) {
    for (let node = control.previousSibling; node; node = node.previousSibling) {
      if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
        return node.textContent.trim().replace(/[:：]$/, "");
      }
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName !== "BR") return "";
    }
    return "";
  }

  function name(root) {
    root.querySelectorAll("p.datetime input").forEach((control) => {
      if (control.type === "hidden" || control.getAttribute("aria-label")) return;
      const row = control.closest(".form-row, fieldset");
      const title = row && row.querySelector("legend, label");
      const field = title ? title.textContent.trim().replace(/[:：]$/, "") : "";
      const text = [field, textBefore(control)].filter(Boolean).join(" ");
      if (text) control.setAttribute("aria-label", text);
    });
    root.querySelectorAll(".tabular td input, .tabular td select, .tabular td textarea").forEach((control) => {
      if (control.type === "hidden" || control.getAttribute("aria-label")) return;
      const text = labelOf(control);
      if (text) control.setAttribute("aria-label", text);
    });
    root.querySelectorAll(".select2-selection[role=combobox]").forEach((box) => {
      if (box.getAttribute("aria-label")) return;
      const container = box.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const text = select && select.tagName === "SELECT" ? labelOf(select) : "";
      if (!text) return;
      box.setAttribute("aria-label", text);
      const shown = box.querySelector(".select2-selection__rendered[role=textbox]");
      if (shown) shown.setAttribute("aria-label", text);
    });
  }

  function start() {
    name(document);
    new MutationObserver(() => name(document)).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
