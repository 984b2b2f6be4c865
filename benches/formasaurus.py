#!/usr/bin/env python3
"""Benchmark `plg-audit forms` against the hand-labelled pages that ship with formasaurus.

formasaurus (MIT, https://pypi.org/project/formasaurus/) ships about 950 saved web
pages whose <form> elements and form fields were labelled by hand. This script installs
the package into a throw-away virtualenv (only to get its data files: nothing of it is
imported), runs `plg-audit forms PAGE --json` on every annotated page, maps formasaurus's
labels to plg-audit's and prints precision, recall and F1 for form kinds and field
types, next to formasaurus's own cross-validated figures and plg-audit's targets.

Pages are read from disk only; nothing is fetched but the package from PyPI.
See benches/README.md for the annotation format and the label mapping.

    python3 benches/formasaurus.py [--bin target/release/plg-audit] [--out summary.json]
                                   [--show-errors 20] [--venv DIR] [--data DIR]
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
FORMASAURUS_VERSION = "0.10.0"  # the data layout below was read from this release

# --------------------------------------------------------------------------------------
# Label mapping: formasaurus's type (full name, as in its data/config.json) -> plg-audit's.
# A value is (our label or None for "unmapped", labels also accepted as correct).
# "Also accepted" only covers gaps between the two taxonomies: when we answer one of
# those labels, the gold label is taken to be ours.
# --------------------------------------------------------------------------------------

FORM_KINDS = {
    "registration": ("signup", frozenset()),
    "login": ("login", frozenset()),
    "password/login recovery": ("password_reset", frozenset()),
    "join mailing list": ("newsletter", frozenset({"waitlist"})),
    "contact/comment": ("contact", frozenset({"demo_request"})),
    "search": ("search", frozenset()),
    # Mostly product pages' "add to cart" forms (a quantity box): our taxonomy has no
    # such kind, so "other" is right as well.
    "order/add to cart": ("payment", frozenset({"other"})),
    "poll": ("other", frozenset()),
    "display options": ("other", frozenset()),
    "navigation": ("other", frozenset()),
    "captcha": ("other", frozenset()),
    # Kinds formasaurus's scheme cannot express.
    "other": ("other", frozenset({"waitlist", "demo_request"})),
}

# Our field types formasaurus's scheme cannot express: its annotators filed such fields
# as "other text", "other choice", ….
OTHER = ("other", frozenset({"job_title", "company_size"}))


FIELD_TYPES = {
    "username": ("username", frozenset()),
    "password": ("password", frozenset()),
    "password confirmation": ("password_confirm", frozenset()),
    "email": ("email", frozenset()),
    "email confirmation": ("email_confirm", frozenset()),
    "username or email": ("username", frozenset({"email"})),
    "ref code / invitation code / coupon": OTHER,
    "captcha": ("captcha", frozenset()),
    "honeypot": ("honeypot", frozenset()),
    "pin code received by sms/...": OTHER,
    "TOS confirmation": ("terms", frozenset()),
    "receive emails confirmation": ("marketing_opt_in", frozenset()),
    "remember me checkbox": ("remember_me", frozenset()),
    "autofill fields checkbox": OTHER,
    # plg-audit lists inputs, selects and textareas, never buttons.
    "submit button": (None, frozenset()),
    "cancel button": (None, frozenset()),
    "reset/clear button": (None, frozenset()),
    "other button": (None, frozenset()),
    "first name": ("first_name", frozenset()),
    "last name": ("last_name", frozenset()),
    "middle name": OTHER,
    "full name": ("full_name", frozenset()),
    # A display name that is not the username: neither username nor full name.
    "screen name (another nick which is not username)": (None, frozenset()),
    "organization name": ("company", frozenset()),
    "gender": OTHER,
    "day of birth": OTHER,
    "month of birth": OTHER,
    "year of birth": OTHER,
    "full birth date": OTHER,
    "time zone": OTHER,
    "DST": OTHER,
    "country": ("country", frozenset()),
    "city": OTHER,
    "state": OTHER,
    "address": OTHER,
    "full street address": OTHER,
    "street name": OTHER,
    "street number": OTHER,
    "apartment number": OTHER,
    "postal code": OTHER,
    "address line 1": OTHER,
    "address line 2": OTHER,
    "PO box": OTHER,
    "phone": ("phone", frozenset()),
    "phone country code": ("phone", frozenset()),
    "phone part 1": ("phone", frozenset()),
    "phone part 2": ("phone", frozenset()),
    "phone part 3": ("phone", frozenset()),
    "fax": OTHER,
    "url": ("website", frozenset()),
    "OpenID": OTHER,
    "about me text": ("message", frozenset()),
    "picture/avatar upload": OTHER,
    "comment text": ("message", frozenset()),
    "comment title or subject": OTHER,
    "credit card number": ("card_number", frozenset()),
    "credit card security code": ("card_cvc", frozenset()),
    "credit card holder name": ("full_name", frozenset()),
    "credit card address": OTHER,
    "credit card expiration month": ("card_expiry", frozenset()),
    "credit card expiration year": ("card_expiry", frozenset()),
    "security question": OTHER,
    "answer to security question": OTHER,
    "search query": ("search", frozenset()),
    "search category / refinement": OTHER,
    "product quantity": OTHER,
    "navigation": OTHER,
    "style select": OTHER,
    "sorting option": OTHER,
    "other number": OTHER,
    "other text": OTHER,
    "full date": OTHER,
    "day": OTHER,
    "month": OTHER,
    "year": OTHER,
    "other confirmation": OTHER,
    "other choice": OTHER,
    "other multi choice": OTHER,
    "other file upload": OTHER,
    "other read-only": OTHER,
    "other": OTHER,
}

OUR_KINDS = [
    "signup", "login", "password_reset", "newsletter", "contact", "search", "payment",
    "waitlist", "demo_request", "other",
]
OUR_FIELD_TYPES = [
    "email", "email_confirm", "password", "password_confirm", "username", "full_name",
    "first_name", "last_name", "company", "job_title", "company_size", "phone", "country",
    "website", "terms", "marketing_opt_in", "remember_me", "captcha", "honeypot",
    "card_number", "card_expiry", "card_cvc", "search", "message", "other",
]
MISSING = "(missing)"  # plg-audit reported no <form> at that index
FAILED = "(failed)"    # plg-audit failed or timed out on the page

# formasaurus's own cross-validated figures (its README), on its simplified labels.
BASELINE = {
    "signup": {"precision": 0.93, "recall": 0.88, "f1": 0.90},
    "field_accuracy": 0.85,
    "fields_f1": {
        "email": 0.96, "password": 0.99, "full_name": 0.78, "phone": 0.84,
        "captcha": 0.82, "terms": 0.63, "honeypot": 0.49,
    },
}

# plg-audit's targets: (what, value to look up in the summary, at least).
TARGETS = [
    ("signup form F1", ("signup", "f1"), 0.93),
    *[(f"{t} field F1", ("field", t), 0.97) for t in ("email", "password", "password_confirm")],
    *[(f"{t} field F1", ("field", t), 0.85) for t in ("terms", "captcha", "honeypot")],
]


# --------------------------------------------------------------------------------------
# Getting the data
# --------------------------------------------------------------------------------------

def install_formasaurus(venv_dir: Path, version: str) -> Path:
    """Creates (or reuses) a virtualenv holding formasaurus; returns its data folder."""
    python = venv_dir / "bin" / "python"
    if not python.exists():
        log(f"creating a virtualenv in {venv_dir}")
        subprocess.run([sys.executable, "-m", "venv", str(venv_dir)], check=True)
    locate = (
        "import importlib.util as u; s = u.find_spec('formasaurus'); "
        "print(s.submodule_search_locations[0] if s else '')"
    )
    found = subprocess.run([str(python), "-c", locate], capture_output=True, text=True,
                           check=True).stdout.strip()
    if not found:
        # The data files are all we need: formasaurus's own dependencies (scikit-learn,
        # scipy, sklearn-crfsuite, …) are left out, and nothing of it is imported.
        log(f"installing formasaurus=={version} (without its dependencies)")
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--no-deps", f"formasaurus=={version}"],
            check=True,
        )
        found = subprocess.run([str(python), "-c", locate], capture_output=True, text=True,
                               check=True).stdout.strip()
    return Path(found) / "data"


@dataclass
class GoldForm:
    page: str                 # path relative to the data folder, e.g. "html/181.html"
    url: str                  # where formasaurus downloaded the page from
    index: int                # position among the page's <form> elements (libxml2)
    our_index: int | None     # the same form's position as plg-audit (HTML5) sees it
    kind: str                 # formasaurus's form type, full name
    fields: dict              # {field name: formasaurus field type, full name}
    fields_annotated: bool    # every field has a type (formasaurus's field-eval subset)


@dataclass
class Dataset:
    folder: Path
    pages: dict               # {page: (<form>s annotated, <form>s an HTML5 parser sees)}
    forms: list               # GoldForm, deduplicated, annotated ones only
    dropped: Counter = field(default_factory=Counter)


def load_dataset(folder: Path, keep_duplicates: bool = False) -> Dataset:
    """Reads formasaurus's data/config.json and data/index.json (see README.md).

    Selects the forms the way formasaurus's Storage.iter_annotations() does for its
    `evaluate` command: forms typed "NOT ANNOTATED" or "SKIP THIS FORM" are dropped, and
    so are duplicates of a form already seen (same markup, hidden inputs aside), keeping
    the first in (host, file) order. Labels are kept in full detail, not simplified.
    """
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    form_cfg, field_cfg = config["form_types"], config["field_types"]
    form_names = {t["short"]: t["full"] for t in form_cfg["types"]}
    field_names = {t["short"]: t["full"] for t in field_cfg["types"]}
    form_na = {form_cfg["NA_value"], form_cfg["skip_value"]}
    field_na = {field_cfg["NA_value"], field_cfg["skip_value"]}
    check_mapping(form_names, form_na, field_names, field_na)
    known_fields = set(field_names) - field_na  # a code not in config.json: not annotated

    def order(item):
        return (urlsplit(item[1]["url"]).hostname or "").removeprefix("www."), item[0]

    data = Dataset(folder=folder, pages={}, forms=[])
    seen = set()
    for page, info in sorted(index.items(), key=order):
        prints, html5_index = split_forms(folder / page, len(info["forms"]))
        data.pages[page] = (len(info["forms"]), sum(i is not None for i in html5_index))
        for i, (kind, fields) in enumerate(zip(info["forms"], info["visible_html_fields"])):
            if kind in form_na or kind not in form_names:
                data.dropped["not annotated or skipped"] += 1
                continue
            if not keep_duplicates:
                if prints[i] in seen:
                    data.dropped["duplicate"] += 1
                    continue
                seen.add(prints[i])
            data.forms.append(GoldForm(
                page=page,
                url=info["url"],
                index=i,
                our_index=html5_index[i],
                kind=form_names[kind],
                fields={name: field_names[tp] for name, tp in fields.items()
                        if tp in field_names and tp not in field_na},
                fields_annotated=bool(fields) and set(fields.values()) <= known_fields,
            ))
    return data


def check_mapping(form_names, form_na, field_names, field_na):
    """Fails loudly when the package's label set differs from the mapping tables."""
    for names, na, table, what in ((form_names, form_na, FORM_KINDS, "form type"),
                                   (field_names, field_na, FIELD_TYPES, "field type")):
        labels = {full for short, full in names.items() if short not in na}
        if labels != set(table):
            sys.exit(f"formasaurus's {what}s differ from this script's mapping: "
                     f"unmapped {sorted(labels - set(table))}, "
                     f"gone {sorted(set(table) - labels)}")


class _FormSplitter(HTMLParser):
    """Lists a page's <form> start tags and, for each, what two parsers make of it.

    formasaurus numbers forms as libxml2 (lxml) builds them: every <form> start tag makes
    a form, closing one still open. plg-audit parses with html5ever, which follows HTML5:
    a <form> start tag is ignored while another form is open (until a </form> tag), and
    <noscript> content is plain text (scripting on), so forms in it do not exist. For
    each form this records its html5ever index (None when it has none) and its markup
    as a normalised string without hidden inputs: equal strings stand for the duplicates
    formasaurus's get_form_hash() finds. (That one serialises with lxml and drops only
    hidden inputs that are children of the <form>, so it keeps 9 forms more.)
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []       # markup tokens, one list per <form> start tag
        self.html5_index = []  # index of the same form in an HTML5 parser's DOM, or None
        self._open = None
        self._html5_open = False
        self._in_noscript = False

    def handle_starttag(self, tag, attrs):
        if tag == "noscript":
            self._in_noscript = True
        if tag == "form":
            self._open = []
            self.forms.append(self._open)
            if self._in_noscript or self._html5_open:
                self.html5_index.append(None)
            else:
                self.html5_index.append(sum(i is not None for i in self.html5_index))
                self._html5_open = True
        if self._open is None:
            return
        attrs = sorted((k, v or "") for k, v in attrs)
        if tag == "input" and dict(attrs).get("type", "").lower() == "hidden":
            return
        self._open.append("<%s %s>" % (tag, " ".join(f"{k}={v!r}" for k, v in attrs)))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "noscript":
            self._in_noscript = False
        elif tag == "form" and not self._in_noscript:
            self._html5_open = False
        if self._open is not None:
            self._open.append(f"</{tag}>")
            if tag == "form":
                self._open = None

    def handle_data(self, data):
        if self._open is not None and data.strip():
            self._open.append(" ".join(data.split()))


def split_forms(path: Path, expected: int):
    """([fingerprint], [html5ever index]) for a page's annotated forms. When the split
    disagrees with the annotation's form count, every form gets a fingerprint of its
    own (kept) and its annotated index."""
    splitter = _FormSplitter()
    splitter.feed(path.read_bytes().decode("utf-8", errors="replace"))
    splitter.close()
    if len(splitter.forms) != expected:
        return [(str(path), i) for i in range(expected)], list(range(expected))
    return ["\n".join(tokens) for tokens in splitter.forms], splitter.html5_index


# --------------------------------------------------------------------------------------
# Running plg-audit
# --------------------------------------------------------------------------------------

def run_page(binary: str, path: Path, timeout: float):
    """Returns ({form index: form}, None) or (None, why it failed)."""
    try:
        done = subprocess.run([binary, "forms", str(path), "--json"], capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:g} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return None, f"exit {done.returncode}: {last[:200]}"
    try:
        forms = json.loads(done.stdout)["forms"]
    except (ValueError, KeyError, TypeError) as e:
        return None, f"unreadable JSON: {e}"
    by_index = {}
    for form in forms:
        if form.get("index") is not None:  # form-less regions have no counterpart
            by_index.setdefault(form["index"], form)
    return by_index, None


def run_all(binary: str, data: Dataset, jobs: int, timeout: float):
    """Runs plg-audit on every page holding an evaluated form; {page: (forms, error)}."""
    pages = sorted({f.page for f in data.forms})
    results = {}
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_page, binary, data.folder / p, timeout): p for p in pages}
        for n, future in enumerate(concurrent.futures.as_completed(futures), 1):
            results[futures[future]] = future.result()
            if n % 100 == 0 or n == len(pages):
                log(f"  {n}/{len(pages)} pages ({time.monotonic() - started:.0f} s)")
    return results


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------

def gold_label(mapping, theirs: str, ours: str):
    """Our label for their type: `ours` when it is one of the accepted alternatives."""
    primary, also = mapping[theirs]
    return ours if ours in also else primary


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "support": tp + fn, "predicted": tp + fp}


def per_label(pairs, labels) -> dict:
    """P/R/F1 per label from (gold, predicted) pairs."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for gold, pred in pairs:
        if gold == pred:
            tp[gold] += 1
        else:
            fn[gold] += 1
            fp[pred] += 1
    return {lab: prf(tp[lab], fp[lab], fn[lab]) for lab in labels if tp[lab] + fp[lab] + fn[lab]}


def confusion(pairs) -> dict:
    table = defaultdict(Counter)
    for gold, pred in pairs:
        table[gold][pred] += 1
    return {g: dict(c.most_common()) for g, c in sorted(table.items())}


def score(data: Dataset, results: dict) -> dict:
    form_pairs, field_pairs = [], []
    form_errors, field_errors = [], []
    missed_pairs = []  # (expected, "(missing)") for annotated fields our output lacks
    fields = Counter()
    misaligned = 0
    for gold in data.forms:
        ours_forms, _ = results[gold.page]
        ours = None if ours_forms is None else ours_forms.get(gold.our_index)
        pred = FAILED if ours_forms is None else MISSING if ours is None else ours["kind"]
        truth = gold_label(FORM_KINDS, gold.kind, pred)
        form_pairs.append((truth, pred))
        where = {"page": gold.page, "url": gold.url, "form_index": gold.index,
                 "our_index": gold.our_index}
        if truth != pred:
            form_errors.append({**where, "theirs": gold.kind, "expected": truth, "ours": pred})
        if not gold.fields_annotated:
            continue
        fields["annotated"] += len(gold.fields)
        if ours is None:
            fields["in forms missing from our output"] += len(gold.fields)
            # Honest figures: every annotated field of a mapped type that our output lacks
            # is a miss, not dropped.
            for theirs in gold.fields.values():
                if FIELD_TYPES[theirs][0] is not None:
                    missed_pairs.append((FIELD_TYPES[theirs][0], MISSING))
            continue

        our_fields = {}
        for f in ours["fields"]:
            if f.get("name"):
                our_fields.setdefault(f["name"], f)  # first control of a name, as theirs
        if our_fields and not set(our_fields) & set(gold.fields):
            misaligned += 1
        for name, theirs in sorted(gold.fields.items()):
            if FIELD_TYPES[theirs][0] is None:
                fields["unmapped type"] += 1
                continue
            if name not in our_fields:
                fields["not found by name"] += 1
                missed_pairs.append((FIELD_TYPES[theirs][0], MISSING))
                continue
            pred = our_fields[name]["type"]
            truth = gold_label(FIELD_TYPES, theirs, pred)
            field_pairs.append((truth, pred))
            if truth != pred:
                field_errors.append({**where, "field": name, "theirs": theirs,
                                     "expected": truth, "ours": pred})
    fields["matched"] = len(field_pairs)
    fields["missed"] = len(missed_pairs)
    # The headline figures count a missed field as wrong; the matched-only ones (the
    # benchmark's earlier figures) are kept beside them.
    matched_pairs = field_pairs
    field_pairs = matched_pairs + missed_pairs

    signup = [(g == "signup", p == "signup") for g, p in form_pairs]
    failures = {p: err for p, (_, err) in sorted(results.items()) if err}
    count_mismatch = {
        p: {"ours": len(forms), "expected": data.pages[p][1], "annotated": data.pages[p][0]}
        for p, (forms, _) in sorted(results.items())
        if forms is not None and len(forms) != data.pages[p][1]
    }
    correct_fields = sum(g == p for g, p in field_pairs)
    return {
        "pages": {"run": len(results), "failed": len(failures),
                  "form_count_differs": len(count_mismatch)},
        "forms": {
            "evaluated": len(form_pairs),
            "dropped": dict(data.dropped),
            "missing": sum(p == MISSING for _, p in form_pairs),
            "reindexed": sum(f.our_index not in (f.index, None) for f in data.forms),
            "no_html5_counterpart": sum(f.our_index is None for f in data.forms),
            "accuracy": sum(g == p for g, p in form_pairs) / max(len(form_pairs), 1),
        },
        "signup": prf(sum(g and p for g, p in signup), sum(p and not g for g, p in signup),
                      sum(g and not p for g, p in signup)),
        "form_kinds": per_label(form_pairs, OUR_KINDS),
        "form_confusion": confusion(form_pairs),
        "fields": {
            **dict(fields),
            "forms_with_no_common_name": misaligned,
            "accuracy": correct_fields / max(len(field_pairs), 1),
            "accuracy_matched_only": correct_fields / max(len(matched_pairs), 1),
        },
        "field_types": per_label(field_pairs, OUR_FIELD_TYPES),
        "field_types_matched_only": per_label(matched_pairs, OUR_FIELD_TYPES),
        "field_confusion": confusion(field_pairs),
        "failures": failures,
        "form_count_differs": count_mismatch,
        "form_errors": form_errors,
        "field_errors": field_errors,
    }


def check_targets(summary: dict) -> list:
    rows = []
    for what, (group, key), target in TARGETS:
        if group == "signup":
            value = summary["signup"][key]
        else:
            value = summary["field_types"].get(key, {}).get("f1", 0.0)
        rows.append({"target": what, "value": value, "at_least": target,
                     "met": value >= target})
    return rows


# --------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------

def log(msg: str):
    print(msg, file=sys.stderr, flush=True)


def table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]

    def line(cells):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def fmt(x):
    return "" if x is None else f"{x:.2f}"


def print_report(s: dict, show_errors: int, errors_for: str):
    pages, forms, fields = s["pages"], s["forms"], s["fields"]
    print(f"\nPages run: {pages['run']}, failed: {pages['failed']}; pages where we list "
          f"another number of <form>s than expected: {pages['form_count_differs']}")
    dropped = ", ".join(f"{n} {why}" for why, n in forms["dropped"].items())
    print(f"Forms evaluated: {forms['evaluated']} ({dropped} left out); "
          f"missing from our output: {forms['missing']}, of which "
          f"{forms['no_html5_counterpart']} are no form in HTML5 (nested, or in <noscript>); "
          f"{forms['reindexed']} matched at another index for that reason")
    for page, err in list(s["failures"].items())[:10]:
        print(f"  failed: {page}: {err}")
    if len(s["failures"]) > 10:
        print(f"  … and {len(s['failures']) - 10} more")

    sg, base = s["signup"], BASELINE["signup"]
    print("\nSignup forms (formasaurus 'registration' vs every other kind)")
    table(["", "precision", "recall", "F1", "support"], [
        ["plg-audit", fmt(sg["precision"]), fmt(sg["recall"]), fmt(sg["f1"]), sg["support"]],
        ["formasaurus (CV)", fmt(base["precision"]), fmt(base["recall"]), fmt(base["f1"]), ""],
    ])

    print(f"\nForm kinds (accuracy {forms['accuracy']:.1%})")
    table(["kind", "precision", "recall", "F1", "support", "predicted"], [
        [k, fmt(m["precision"]), fmt(m["recall"]), fmt(m["f1"]), m["support"], m["predicted"]]
        for k, m in s["form_kinds"].items()
    ])
    print("\nForm confusion (expected -> ours: count)")
    for gold, row in s["form_confusion"].items():
        print(f"  {gold:15} " + ", ".join(f"{p}: {n}" for p, n in row.items()))

    print(f"\nFields in forms whose fields are all annotated: {fields.get('annotated', 0)}; "
          f"matched by name: {fields['matched']}; left out: "
          + ", ".join(f"{fields.get(why, 0)} {why}" for why in (
              "unmapped type", "not found by name", "in forms missing from our output"))
          + f"; forms of ours sharing no field name with theirs: "
          f"{fields['forms_with_no_common_name']}")
    print(f"Field accuracy: {fields['accuracy']:.1%} counting the {fields.get('missed', 0)} "
          f"annotated fields our output lacks as misses; {fields['accuracy_matched_only']:.1%} "
          f"over matched fields only (formasaurus (CV): {BASELINE['field_accuracy']:.0%})")
    table(["field type", "precision", "recall", "F1", "support", "predicted", "formasaurus F1"], [
        [t, fmt(m["precision"]), fmt(m["recall"]), fmt(m["f1"]), m["support"], m["predicted"],
         fmt(BASELINE["fields_f1"].get(t))]
        for t, m in s["field_types"].items()
    ])

    print("\nTargets")
    table(["target", "value", "at least", ""], [
        [t["target"], fmt(t["value"]), fmt(t["at_least"]), "met" if t["met"] else "NOT MET"]
        for t in s["targets"]
    ])

    if show_errors:
        data = s["data_folder"]

        def pick(errors):
            wanted = [e for e in errors
                      if not errors_for or errors_for in (e["expected"], e["ours"])]
            return wanted[:show_errors]

        def where(e):
            i, ours = e["form_index"], e["our_index"]
            return f"{i}" if ours == i else f"{i} (our #{ours})"

        print(f"\nMisclassified forms (pages under {data})")
        for e in pick(s["form_errors"]):
            print(f"  {e['page']} form #{where(e)}: theirs {e['theirs']!r} "
                  f"(= {e['expected']}), ours {e['ours']}   [{e['url']}]")
        print(f"\nMisclassified fields (pages under {data})")
        for e in pick(s["field_errors"]):
            print(f"  {e['page']} form #{where(e)} field {e['field']!r}: theirs "
                  f"{e['theirs']!r} (= {e['expected']}), ours {e['ours']}")


def print_mapping():
    """The mapping tables as Markdown, for README.md."""
    for title, table_, head in (("Form kinds", FORM_KINDS, "formasaurus form type"),
                                ("Field types", FIELD_TYPES, "formasaurus field type")):
        print(f"### {title}\n\n| {head} | plg-audit | also accepted |\n|---|---|---|")
        for theirs, (ours, also) in table_.items():
            print(f"| {theirs} | {ours or '*unmapped*'} | {', '.join(sorted(also))} |")
        print()


# --------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=str(REPO_ROOT / "target/release/plg-audit"),
                    help="plg-audit binary (default: %(default)s)")
    ap.add_argument("--out", metavar="FILE.json", help="write a machine-readable summary")
    ap.add_argument("--show-errors", metavar="N", type=int, default=0,
                    help="print N misclassified forms and N misclassified fields")
    ap.add_argument("--errors-for", metavar="LABEL",
                    help="only list errors where our label or the expected one is LABEL")
    ap.add_argument("--jobs", "-j", type=int, default=min(4, os.cpu_count() or 1),
                    help="pages run at once (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=30, help="seconds per page (default: 30)")
    ap.add_argument("--venv", metavar="DIR",
                    help="create or reuse the virtualenv here and keep it (default: a "
                         "temporary one, deleted at the end)")
    ap.add_argument("--data", metavar="DIR",
                    help="use formasaurus's data folder found here (holds index.json); "
                         "no virtualenv, no network")
    ap.add_argument("--formasaurus-version", default=FORMASAURUS_VERSION, metavar="V",
                    help="formasaurus release to install (default: %(default)s)")
    ap.add_argument("--keep-duplicates", action="store_true",
                    help="evaluate duplicate forms too (formasaurus drops them)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is not met")
    ap.add_argument("--print-mapping", action="store_true",
                    help="print the label mapping as Markdown and exit")
    args = ap.parse_args()

    if args.print_mapping:
        print_mapping()
        return 0
    try:
        works = subprocess.run([args.bin, "forms", "--help"], capture_output=True).returncode == 0
    except OSError:
        works = False
    if not works:
        log(f"{args.bin} has no working `forms` command; build it (cargo build --release) "
            "or pass --bin")
        return 2

    started = time.monotonic()
    temp = None
    try:
        if args.data:
            folder = Path(args.data)
            if not (folder / "index.json").is_file():
                log(f"{folder} holds no index.json")
                return 2
        else:
            venv = Path(args.venv) if args.venv else Path(
                temp := tempfile.mkdtemp(prefix="formasaurus-bench-")) / "venv"
            try:
                folder = install_formasaurus(venv, args.formasaurus_version)
            except subprocess.CalledProcessError as e:
                log(f"could not set up formasaurus ({e}); is PyPI reachable? "
                    "--data DIR uses a data folder already on disk")
                return 2
        log(f"formasaurus data: {folder}")
        data = load_dataset(folder, keep_duplicates=args.keep_duplicates)
        log(f"{len(data.forms)} annotated forms on {len({f.page for f in data.forms})} pages; "
            f"running {args.bin} with {args.jobs} jobs")
        results = run_all(args.bin, data, args.jobs, args.timeout)
        summary = {
            "formasaurus_version": args.formasaurus_version if not args.data else None,
            "data_folder": str(folder),
            "binary": args.bin,
            **score(data, results),
        }
        summary["targets"] = check_targets(summary)
        summary["baseline_formasaurus_cv"] = BASELINE
        summary["seconds"] = round(time.monotonic() - started, 1)
        print_report(summary, args.show_errors, args.errors_for)
        if temp and args.show_errors:
            print("\n(the pages above are deleted on exit; pass --venv DIR to keep them)")
        if args.out:
            Path(args.out).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
            log(f"summary written to {args.out}")
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    missed = [t["target"] for t in summary["targets"] if not t["met"]]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
