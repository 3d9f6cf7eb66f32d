#!/usr/bin/env bash
# Every reference to a document, and to a numbered section of one, must resolve:
#  - "docs/NAME.md" anywhere in src/, include/, tools/, bindings/, tests/, bench/, docs/ and
#    README.md names a file that exists;
#  - "docs/NAME.md §N" or "§N.M" (more sections may follow: ", §M") names a heading
#    "## N." or "### N.M" in that file, and so does "[text §N](NAME.md)" in Markdown;
#  - a Markdown link to a relative .md path names a file that exists;
#  - a bare "§N" inside docs/design.md names one of its own headings;
#  - the old comment form, the word DESIGN followed by a section sign, is gone.
# Usage: check_references.sh [SOURCE_DIR]; prints each unresolved reference as
# FILE:LINE: ... and exits 1 when there is one.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
python=$(command -v python3 || echo /usr/bin/python3)
exec "$python" - "$root" <<'PY'
import os
import re
import subprocess
import sys

root = os.path.abspath(sys.argv[1])
self_path = os.path.join("tests", "docs", "check_references.sh")
scanned_dirs = ["src", "include", "tools", "bindings", "tests", "bench", "docs"]
scanned_files = ["README.md"]
skipped_dirs = {".git", "target", "node_modules", "__pycache__"}


def files_to_scan():
    """Tracked and untracked-but-not-ignored files under the scanned paths (every file
    there when the tree is not a git checkout)."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-co", "--exclude-standard", "--"] +
                             scanned_dirs + scanned_files,
                             check=True, capture_output=True, text=True).stdout
        paths = [p for p in out.splitlines() if p]
    except (OSError, subprocess.CalledProcessError):
        paths = [f for f in scanned_files if os.path.isfile(os.path.join(root, f))]
        for d in scanned_dirs:
            for dirpath, dirnames, filenames in os.walk(os.path.join(root, d)):
                dirnames[:] = [x for x in dirnames if x not in skipped_dirs and not x.startswith("build")]
                for f in filenames:
                    paths.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(p for p in set(paths) if p != self_path and os.path.isfile(os.path.join(root, p)))


heading_re = re.compile(r"^#{2,6}[ \t]+(\d+(?:\.\d+)*)(?:\.|[ \t])", re.M)
section_cache = {}


def sections_of(path):
    if path not in section_cache:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            section_cache[path] = set(heading_re.findall(f.read()))
    return section_cache[path]


NUM = r"\d+(?:\.\d+)*"
# Between a file name and its sections, or between sections: spaces, or a line break
# followed by a comment leader.
GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*(?://+!?|/?\*+|#+|--)?[ \t]*)"
SECTIONS = rf"(?P<sections>§{NUM}(?:(?:[ \t]*,{GAP}?|{GAP}and{GAP}|[ \t]*[-–][ \t]*)§?{NUM})*)"
doc_ref_re = re.compile(rf"(?<![\w./-])(?P<path>docs/[\w./-]+?\.md)\b(?:{GAP}?{SECTIONS})?")
# A .md name without docs/ counts as a reference only when sections follow it.
bare_ref_re = re.compile(rf"(?<![\w./-])(?P<path>[\w-]+\.md){GAP}?{SECTIONS}")
link_re = re.compile(r"\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s#]+)(?:#[^)\s]*)?\)")
number_re = re.compile(NUM)
old_form = "DESIGN" + " §"

failures = []
checked = 0


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def fail(path, text, pos, message):
    failures.append(f"{path}:{line_of(text, pos)}: {message}")


def resolve(source, target):
    """A referenced path, relative to the repository root: docs/... from the root, other
    paths from the referring file's folder."""
    if target.startswith("docs/"):
        return os.path.normpath(target)
    return os.path.normpath(os.path.join(os.path.dirname(source), target))


def show(ref):
    """A reference as one line, without the comment leaders of a line break inside it."""
    return " ".join(re.sub(r"\n[ \t]*(?://+!?|/?\*+|#+|--)?", " ", ref).split())


def check(source, text, pos, target, sections, shown):
    global checked
    checked += 1
    path = resolve(source, target)
    if not os.path.isfile(os.path.join(root, path)):
        fail(source, text, pos, f"'{shown}': {path} does not exist")
        return
    if sections:
        have = sections_of(path)
        for n in number_re.findall(sections):
            if n not in have:
                level = "#" * (n.count(".") + 2)
                fail(source, text, pos, f"'{shown}': {path} has no section {n} (no heading '{level} {n}')")


for source in files_to_scan():
    try:
        with open(os.path.join(root, source), encoding="utf-8") as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        continue
    if "\0" in text:
        continue
    for m in re.finditer(re.escape(old_form), text):
        fail(source, text, m.start(), f"'{old_form}...': cite the document, e.g. docs/design.md §N")
    spans = []
    for m in doc_ref_re.finditer(text):
        spans.append(m.span())
        check(source, text, m.start(), m.group("path"), m.group("sections"), show(m.group(0)))
    for m in bare_ref_re.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        spans.append(m.span())
        check(source, text, m.start(), m.group("path"), m.group("sections"), show(m.group(0)))
    if source.endswith(".md"):
        for m in link_re.finditer(text):
            target = m.group("target")
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or not target.endswith(".md"):
                continue
            sections = " ".join(re.findall(rf"§{NUM}", m.group("text")))
            check(source, text, m.start(), target, sections, m.group(0))
    if source == "docs/design.md":
        # Its own sections, cited without a file name.
        for m in re.finditer(rf"§{NUM}", text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            check(source, text, m.start(), "design.md", m.group(0), m.group(0))

for f in failures:
    print(f)
if failures:
    print(f"{len(failures)} reference(s) do not resolve", file=sys.stderr)
    sys.exit(1)
print(f"all {checked} references to documents and sections resolve")
PY
