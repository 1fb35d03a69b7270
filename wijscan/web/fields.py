"""Form fields shared by the blueprints."""

from __future__ import annotations

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class CheckboxListField(SelectMultipleField):
    """A choice of any number of options as checkboxes, not a multi-select that needs Ctrl-click.

    ``macros.field`` renders it as a fieldset with the label as its legend and one clickable
    label per checkbox; rendered on its own (``field()``) it is a plain list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __iter__(self):
        # A required choice means "at least one", not that every box must be ticked.
        for option in super().__iter__():
            option.flags.required = False
            yield option
