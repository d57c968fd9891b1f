"""Fill the English catalog: the source strings are English, so every msgstr equals its msgid.

Keeping the English catalog explicit (rather than relying on the gettext fallback) lets the completeness test
treat both languages the same way.
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def main(path: str) -> None:
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(message.id)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=110, sort_output=True, omit_header=False)


if __name__ == "__main__":
    main(sys.argv[1])
