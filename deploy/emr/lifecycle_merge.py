"""Merges this project's S3 lifecycle rules into a bucket's existing ones, by rule ID.

PutBucketLifecycleConfiguration replaces a bucket's whole configuration, and the bucket of the reports also holds
the raw input, the checkpoints and the logs, whose rules (if any) are someone else's. So merge-lifecycle.sh reads
the configuration, this puts the project's rules in (a rule with the same ID is replaced where it stands, the
others are kept as they are, in their order) and the script writes the result back.

    python3 deploy/emr/lifecycle_merge.py EXISTING.json OURS.json > MERGED.json   # a summary goes to stderr

EXISTING.json is what `aws s3api get-bucket-lifecycle-configuration` printed, or {} for a bucket without one.
Rules of the old form (a top-level "Prefix" instead of a "Filter") cannot be mixed with the new form in one
configuration, so when both would be present the old ones are rewritten as {"Filter": {"Prefix": ...}}, which S3
treats the same. Standard library only.
"""
import json
import sys

MAX_RULES = 1000  # S3's limit per bucket, not adjustable


class MergeError(ValueError):
    pass


def merge(existing, ours):
    """(merged configuration {"Rules": [...]}, the bucket's TransitionDefaultMinimumObjectSize or None, summary)."""
    rules = list(existing.get("Rules") or [])
    new = list(ours.get("Rules") or [])
    if not new:
        raise MergeError("the project's lifecycle file has no rules")
    ids = [r.get("ID") for r in new]
    if any(not i for i in ids) or len(set(ids)) != len(ids):
        raise MergeError("every project rule needs an ID of its own, got %s" % ids)
    replaced, added = [], []
    by_id = dict(zip(ids, new))
    out = []
    for rule in rules:
        if rule.get("ID") in by_id:
            out.append(by_id.pop(rule["ID"]))
            replaced.append(rule["ID"])
        else:
            out.append(rule)
    for i in ids:
        if i in by_id:
            out.append(by_id[i])
            added.append(i)
    if len(out) > MAX_RULES:
        raise MergeError("the merged configuration would have %d rules; S3 allows %d" % (len(out), MAX_RULES))
    legacy = [r for r in out if "Prefix" in r and "Filter" not in r]
    rewritten = []
    if legacy and len(legacy) < len(out):
        for r in legacy:
            r["Filter"] = {"Prefix": r.pop("Prefix")}
            rewritten.append(r.get("ID", "(no ID)"))
    kept = [r.get("ID", "(no ID)") for r in out if r.get("ID") not in ids]
    summary = "kept %d rule(s) %s; replaced %s; added %s%s" % (
        len(kept), kept, replaced or "none", added or "none",
        "; rewrote the old-form prefix of %s as a Filter" % rewritten if rewritten else "")
    return {"Rules": out}, existing.get("TransitionDefaultMinimumObjectSize"), summary


def _main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: lifecycle_merge.py EXISTING.json OURS.json\n")
        return 2
    try:
        with open(argv[0]) as f:
            text = f.read().strip()
        existing = json.loads(text) if text else {}
        with open(argv[1]) as f:
            ours = json.load(f)
        merged, size, summary = merge(existing, ours)
    except (OSError, ValueError) as e:
        sys.stderr.write("lifecycle_merge.py: %s\n" % e)
        return 2
    print(json.dumps({"configuration": merged, "transition_default_minimum_object_size": size}))
    sys.stderr.write(summary + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
