/* The admin lists' filters by street and by village (apps/organizations/admin_filters.py): each
   <select class="tree-filter"> becomes a select2 autocomplete asking the server for the
   account's organizations of its kind; picking one (or clearing it) reloads the list with the
   filter's parameter set (or removed), the list's other filters kept. */
"use strict";
(function ($) {
  function go(select, id) {
    const url = new URL(select.dataset.base, window.location.href);
    if (id) url.searchParams.set(select.dataset.parameter, id);
    window.location.assign(url.toString());
  }

  function start() {
    $("select.tree-filter").each(function () {
      const select = this;
      $(select).select2({
        ajax: {
          data: (params) => ({
            term: params.term,
            page: params.page,
            kind: select.dataset.kind,
            within: select.dataset.within,
          }),
        },
      });
      $(select).on("select2:select", (event) => go(select, event.params.data.id));
      $(select).on("select2:clear", () => go(select, ""));
    });
  }

  $(start);
})(window.jQuery);
