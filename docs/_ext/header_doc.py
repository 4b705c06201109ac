"""``.. boltzmann-header:: path``: the C API reference, read from the header's comments.

The header is the manual (include/boltzmann.h): each declaration is preceded by a
comment. This directive walks the file once and writes, in order:

- a ``/* ===`` banner comment as a section (its first line the title, the rest prose);
- a ``/* ---`` comment as a subsection, likewise;
- a comment followed by function prototypes as ``c:function`` entries (indexed and
  linkable) carrying the comment;
- a comment followed by other declarations (macros, typedefs, structs) as the comment
  and the declarations verbatim;
- a comment on its own as prose.

Comments are shown as preformatted text, as written: they use ASCII formulas and
alignment that reStructuredText would otherwise reinterpret.
"""

import re
from pathlib import Path

from docutils.parsers.rst import Directive, directives
from docutils.statemachine import StringList

#: Include guards, includes and the C++ linkage wrapper: not declarations.
GUARD = re.compile(r"^\s*(#\s*(if|ifdef|ifndef|endif|include|define BOLTZMANN_H)\b|extern \"C\"|})")
PROTOTYPE = re.compile(r"^(?:const\s+)?[A-Za-z_][\w\s\*]*?\b(bz_\w+)\s*\(")


def _comment_text(lines):
    """The text of a /* ... */ comment's lines, without the markers and leading stars
    (alignment after the star is kept)."""
    text = []
    for line in lines:
        s = line.strip()
        if s.startswith("/*"):
            s = s[2:]
        if s.endswith("*/"):
            s = s[:-2]
        s = s.rstrip()
        if s.startswith("* ") or s == "*":
            s = s[2:]
        elif s.startswith(" "):
            s = s[1:]
        text.append(s)
    while text and not text[0].strip():
        text.pop(0)
    while text and not text[-1].strip():
        text.pop()
    return text


def _blocks(source):
    """(comment lines, code lines) pairs in file order."""
    lines = source.splitlines()
    k, blocks = 0, []
    while k < len(lines):
        line = lines[k].strip()
        if line.startswith("/*"):
            comment = [lines[k]]
            while "*/" not in lines[k]:
                k += 1
                comment.append(lines[k])
            k += 1
            code = []  # the declarations up to the next comment, blank lines and guards left out
            while k < len(lines) and not lines[k].strip().startswith("/*"):
                if lines[k].strip() and not GUARD.match(lines[k]):
                    code.append(lines[k])
                k += 1
            blocks.append((comment, code))
        else:
            k += 1
    return blocks


def _prototypes(code):
    """Each function prototype in ``code`` as one line, or None if the code has other declarations."""
    joined, found = " ".join(line.strip() for line in code), []
    for statement in filter(None, (s.strip() for s in joined.split(";"))):
        if not PROTOTYPE.match(statement) or statement.startswith("typedef"):
            return None
        found.append(re.sub(r"\s+", " ", statement).replace("( ", "(").replace(" )", ")"))
    return found


def _preformatted(text, indent=""):
    return [f"{indent}::", ""] + [f"{indent}    {line}" for line in text] + [""]


def header_rst(path):
    """The reStructuredText of the header's reference, as lines."""
    out = []
    blocks = _blocks(Path(path).read_text())
    for comment, code in blocks:
        first = comment[0].strip()
        text = _comment_text(comment)
        if first.startswith("/* ===="):
            title = text[1] if text and set(text[0]) <= set("=") else text[0]
            body = [line for line in text if not set(line.strip()) <= set("=")]
            body = body[body.index(title) + 1:] if title in body else body
            out += [title, "-" * len(title), ""] + (_preformatted(body) if any(s.strip() for s in body) else [])
            continue
        if first.startswith("/* ---"):
            title = re.sub(r"^-+\s*|\s*-+(\*/)?$", "", text[0]).strip()
            out += [title, "~" * len(title), ""] + (_preformatted(text[1:]) if len(text) > 1 else [])
            continue
        if not code:
            out += _preformatted(text)
            continue
        macros = [line for line in code if line.startswith("#")]
        prototypes = _prototypes([line for line in code if not line.startswith("#")])
        if prototypes:  # the function's constants may come first, under the same comment
            if macros:
                out += [".. code-block:: c", ""] + [f"   {line}" for line in macros] + [""]
            for prototype in prototypes:
                out += [f".. c:function:: {prototype}", ""] + _preformatted(text, "   ")
        else:
            out += _preformatted(text) + [".. code-block:: c", ""] + [f"   {line}" for line in code] + [""]
    return out


class HeaderDoc(Directive):
    required_arguments = 1
    option_spec = {"skip-intro": directives.flag}

    def run(self):
        env = self.state.document.settings.env
        path = (Path(env.srcdir) / self.arguments[0]).resolve()
        env.note_dependency(str(path))
        lines = header_rst(path)
        self.state_machine.insert_input(StringList(lines, str(path)), str(path))
        return []


def setup(app):
    app.add_directive("boltzmann-header", HeaderDoc)
    return {"parallel_read_safe": True, "version": "1"}
