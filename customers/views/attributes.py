"""Customers → Settings → Attributes: the organization's customer tags with counts, rename and delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rentoffice.forms import form_errors_from
from rentoffice.tenancy import requires

from .. import selectors, services
from ..forms import AttributeRenameForm


@requires("customers.view")
def attribute_list(request, org_slug):
    attributes = selectors.attributes_with_counts(membership=request.membership)
    return render(request, "customers/attributes.html", {"attributes": attributes})


@requires("customers.change")
def attribute_rename(request, org_slug, attribute_pk):
    attribute = selectors.attribute_get(membership=request.membership, pk=attribute_pk)
    old_name = attribute.name
    form = AttributeRenameForm(request.POST or None, initial={"name": attribute.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.attribute_rename(actor=request.membership, attribute=attribute, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The attribute has been renamed to “%(name)s”.") % {"name": attribute.name})
            return redirect("customers:attributes", org_slug=org_slug)
    return render(
        request, "customers/attribute_rename.html", {"attribute": attribute, "old_name": old_name, "form": form}
    )


@requires("customers.delete")
def attribute_delete(request, org_slug, attribute_pk):
    attribute = selectors.attribute_get(membership=request.membership, pk=attribute_pk)
    if request.method == "POST":
        name = attribute.name
        services.attribute_delete(actor=request.membership, attribute=attribute)
        messages.success(request, _("The attribute “%(name)s” has been deleted.") % {"name": name})
        return redirect("customers:attributes", org_slug=org_slug)
    customer_count = attribute.customers.count()
    return render(
        request, "customers/attribute_delete.html", {"attribute": attribute, "customer_count": customer_count}
    )
