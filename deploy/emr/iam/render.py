"""Fills the {{PLACEHOLDERS}} of an IAM document of this folder and prints it, ready for `aws iam ... file://`.

    python3 deploy/emr/iam/render.py deploy/emr/iam/instance-profile-policy.json ACCOUNT=123456789012 REGION=eu-west-1 \
        BUCKET=example-silo-reports SECRET_NAME=silo-reports/rds MSK_CLUSTER=silo-reports KMS_KEY_ID=

Values are put into the parsed JSON strings (never pasted into the text), checked against the shapes AWS accepts,
and a placeholder left without a value is an error naming it. KMS_KEY_ID may be empty: the secret is then encrypted
with the AWS managed key, whose use Secrets Manager grants by itself, so the statements that decrypt with a
customer managed key are dropped. Standard library only (create-roles.sh needs nothing but python3).
"""
import json
import re
import sys

PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
SHAPES = {
    "ACCOUNT": r"[0-9]{12}",
    "REGION": r"[a-z]{2}(-[a-z]+)+-[0-9]",
    "BUCKET": r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]",
    "SECRET_NAME": r"[A-Za-z0-9/_+=.@-]{1,512}",
    "MSK_CLUSTER": r"[A-Za-z0-9-]{1,64}",
    "KMS_KEY_ID": r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})?",
    "CLUSTER_ID": r"j-[A-Z0-9]{1,256}",
    "TOPIC": r"[A-Za-z0-9_-]{1,256}",
}
# Statements that only make sense with a customer managed KMS key (Sid prefix).
CMK_ONLY = "DecryptTheSecretIfACustomerManagedKey"


class RenderError(ValueError):
    pass


def check(values):
    for key, value in values.items():
        shape = SHAPES.get(key)
        if shape is None:
            raise RenderError("unknown placeholder %s (known: %s)" % (key, ", ".join(sorted(SHAPES))))
        if not re.fullmatch(shape, value):
            raise RenderError("%s=%r does not look like one (expected %s)" % (key, value, shape))


def render(document, values):
    """The document with every {{KEY}} replaced; CMK-only statements dropped when KMS_KEY_ID is empty."""
    check(values)
    missing = set()

    def fill(node):
        if isinstance(node, str):
            def one(m):
                if m.group(1) not in values:
                    missing.add(m.group(1))
                    return m.group(0)
                return values[m.group(1)]
            return PLACEHOLDER.sub(one, node)
        if isinstance(node, list):
            return [fill(n) for n in node]
        if isinstance(node, dict):
            return {k: fill(v) for k, v in node.items()}
        return node

    doc = dict(document)
    if not values.get("KMS_KEY_ID"):
        doc["Statement"] = [s for s in doc["Statement"] if not str(s.get("Sid", "")).startswith(CMK_ONLY)]
        values = {k: v for k, v in values.items() if k != "KMS_KEY_ID"}
    out = fill(doc)
    if missing:
        raise RenderError("no value for %s" % ", ".join(sorted(missing)))
    return out


def _main(argv):
    if not argv:
        sys.stderr.write("usage: render.py DOCUMENT.json KEY=VALUE...\n")
        return 2
    values = {}
    for arg in argv[1:]:
        key, sep, value = arg.partition("=")
        if not sep:
            sys.stderr.write("render.py: %r is not KEY=VALUE\n" % arg)
            return 2
        values[key] = value
    try:
        with open(argv[0]) as f:
            document = json.load(f)
        print(json.dumps(render(document, values), indent=2))
    except (OSError, ValueError) as e:
        sys.stderr.write("render.py: %s: %s\n" % (argv[0], e))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
