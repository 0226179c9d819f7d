/* select2 attaches itself to the page's global jQuery, which Django's admin keeps only as
   django.jQuery: this lends it, so the tree filters' select2 loads onto the admin's own jQuery
   (apps/organizations/admin_filters.py, templates/admin/organizations/tree_filter.html). */
"use strict";
window.jQuery = window.jQuery || window.django.jQuery;
