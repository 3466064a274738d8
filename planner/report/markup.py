"""Text from files into map pages safely: escaped script literals bound by our own elements, never template source."""

from __future__ import annotations

import html
import json

from branca.element import Element, MacroElement


def script_literal(value) -> str:
    """``value`` as a JavaScript literal that cannot end its ``<script>`` or run as code.

    JSON with ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 escaped: inside a script
    element no ``</script>`` or ``<!--`` can appear, and unlike a template literal nothing in
    it (``${...}``) is evaluated.

    Parameters
    ----------
    value
        A string, number, list or dict of them (JSON-serialisable).

    Returns
    -------
    str
        The literal, safe to place anywhere an expression may stand in a script.
    """
    literal = json.dumps(value, ensure_ascii=False)
    for char in ("<", ">", "&", "\u2028", "\u2029"):
        literal = literal.replace(char, f"\\u{ord(char):04x}")
    return literal


class Verbatim(Element):
    """Markup placed in the page exactly as given.

    branca compiles the text of an ``Element`` (and the output of every ``MacroElement``) as a
    Jinja template, so text from a merchants or routes file must never reach one: a name like
    ``{{ ... }}`` would run on the planner's machine. This element's ``render`` skips the template.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        """The text as given, never compiled as a template.

        Parameters
        ----------
        **kwargs
            What branca passes to every element's ``render``; not used.

        Returns
        -------
        str
            ``self.text``.
        """
        return self.text


class Call(MacroElement):
    """A call of a page function, placed in the page's script where this element is rendered.

    Each argument is either an element of the page (passed as its JavaScript variable), a list
    of them, or data made a ``script_literal``.
    """

    def __init__(self, function: str, *arguments) -> None:
        super().__init__()
        self.function, self.arguments = function, arguments

    def render(self, **kwargs) -> None:
        """Add the call to the page's script, its arguments as variable names or literals.

        Parameters
        ----------
        **kwargs
            What branca passes to every element's ``render``; not used.
        """
        parts = ", ".join(_argument(value) for value in self.arguments)
        self.get_root().script.add_child(Verbatim(f"{self.function}({parts});"), name=self.get_name())


def _argument(value) -> str:
    if isinstance(value, Element):
        return value.get_name()
    if isinstance(value, list) and value and all(isinstance(item, Element) for item in value):
        return "[" + ", ".join(item.get_name() for item in value) + "]"
    return script_literal(value)


class _Bind(MacroElement):
    """Binds a tooltip or popup to its parent layer; the content is HTML the caller escaped."""

    def __init__(self, method: str, content: str, options: dict) -> None:
        super().__init__()
        self.method, self.content, self.options = method, content, options

    def render(self, **kwargs) -> None:
        call = f"{self._parent.get_name()}.{self.method}({script_literal(self.content)}, {json.dumps(self.options)});"
        self.get_root().script.add_child(Verbatim(call), name=self.get_name())


def tooltip(text: str) -> MacroElement:
    """A tooltip showing ``text`` as plain text, following the mouse.

    Parameters
    ----------
    text
        Any text, e.g. a shop's name from a file.

    Returns
    -------
    branca.element.MacroElement
        To add to a marker, line or polygon.
    """
    return _Bind("bindTooltip", html.escape(text), {"sticky": True})
