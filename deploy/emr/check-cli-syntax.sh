#!/usr/bin/env bash
# Runs deploy/emr/README.md's commands in order, as a reader would (its ```bash blocks; the scripts they call run
# whole), with every AWS CLI call sent to a dead endpoint: the CLI checks the options and their values before it sends
# anything, so a call it would refuse fails here with its usage error, and a call it accepts fails only to connect.
# Nothing reaches AWS. An accepted call then gets a made-up answer (an account id, a subnet's VPC, a bucket's
# existing lifecycle rules, ...) so the scripts go on to their next call, and the merged lifecycle configuration,
# say, is itself checked by the CLI.
#
#   deploy/emr/check-cli-syntax.sh [--bash PATH]... [aws binary ...]   # e.g. --bash /opt/bash-3.2/bin/bash /usr/bin/aws
#
# Each --bash runs the README and the scripts (their `#!/usr/bin/env bash` finds it first on PATH); by default the
# bash on PATH. Each aws binary (CLI v1 or v2) is checked; by default `aws`. CHECK_LOG=FILE keeps the calls, one JSON
# object a line (status, README section and command, service, operation), for DeployScriptsTest. The work happens in
# a copy of deploy/ and conf/ under a temporary directory, with a stand-in `mvn` that records its arguments and leaves
# a jar where the build would: nothing in the working tree changes. Bash 3.2-safe itself.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
src=$(pwd)
bashes=()
while [ $# -gt 0 ] && [ "$1" = --bash ]; do bashes+=("$2"); shift 2; done
[ ${#bashes[@]} -gt 0 ] || bashes=("$(command -v bash)")
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(aws)
log=${CHECK_LOG:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "$log" ] || log=$work/calls.jsonl
: >"$log"

# The README's commands as one script: each command, then its exit status in the steps file.
python3 - "$src/deploy/emr/README.md" >"$work/readme.sh" <<'PY'
import re, shlex, sys
section, lines, cmds, block = "", open(sys.argv[1]).read().split("\n"), [], False
for line in lines:
    if line.startswith("```"):
        block = line.strip() == "```bash" if not block else False
        continue
    if not block and line.startswith("#"):
        section = line.lstrip("#").strip()
    elif block:
        if cmds and cmds[-1][1].endswith("\\"):
            cmds[-1] = (cmds[-1][0], cmds[-1][1][:-1] + " " + line.strip())
        elif line.strip() and not line.strip().startswith("#"):
            cmds.append((section, line.strip()))
for section, cmd in cmds:
    step = re.sub(r"\s+#.*$", "", cmd)
    print("export CHECK_SECTION=%s CHECK_STEP=%s" % (shlex.quote(section), shlex.quote(step)))
    print(cmd)
    print('echo "$? $CHECK_STEP" >>"$CHECK_STEPS"')
PY

# The stand-in for aws: the real CLI against a dead endpoint, then a made-up answer.
cat >"$work/fake-aws" <<'PY'
#!/usr/bin/env python3
import json, os, re, subprocess, sys
args = sys.argv[1:]
VALUED = {"--region", "--endpoint-url", "--output", "--query", "--profile", "--color", "--ca-bundle",
          "--cli-read-timeout", "--cli-connect-timeout"}
words, i = [], 0
while i < len(args):
    if args[i] in VALUED:
        i += 2
        continue
    if not args[i].startswith("--"):
        words.append(args[i])
    i += 1
service, operation = (words + ["", ""])[:2]
extra = {}
if (service, operation) == ("s3", "cp") and len(words) >= 4:
    extra["direction"] = "download" if words[2].startswith("s3://") else "upload"
if (service, operation) == ("emr", "wait") and len(words) >= 3:
    extra["waiter"] = words[2]
env = dict(os.environ, AWS_MAX_ATTEMPTS="1", AWS_RETRY_MODE="standard")
run = subprocess.run([os.environ["CHECK_REAL_AWS"]] + args + ["--endpoint-url", "http://127.0.0.1:9"],
                     env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
said = run.stdout + run.stderr
accepted = re.search(r"could not connect|connection refused|connect timeout|endpoint url", said, re.I) is not None
entry = dict(status="ok" if accepted else "FAIL", section=os.environ.get("CHECK_SECTION", ""),
             step=os.environ.get("CHECK_STEP", ""), service=service, operation=operation, **extra)
if not accepted:
    entry["complaint"] = said.strip()[-600:]
with open(os.environ["CHECK_LOG"], "a") as f:
    f.write(json.dumps(entry) + "\n")
if not accepted:
    sys.stderr.write(said)
    sys.exit(252)
ANSWERS = {
    ("sts", "get-caller-identity"): "111122223333",
    ("ec2", "describe-subnets"): "vpc-0a1b2c3d4e5f67890",
    ("ec2", "describe-security-groups"): "sg-0123456789abcdef0",
    ("emr", "create-cluster"): "j-CHECKCLUSTER01",
    ("emr", "add-steps"): "s-CHECKSTEP00001",
    # A bucket that already has a rule of someone else's, and a non-default transition size, both to be kept.
    ("s3api", "get-bucket-lifecycle-configuration"): json.dumps({
        "TransitionDefaultMinimumObjectSize": "varies_by_storage_class",
        "Rules": [{"ID": "raw-to-glacier", "Filter": {"Prefix": "raw/"}, "Status": "Enabled",
                   "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}]}]}),
}
if (service, operation) == ("iam", "get-role"):  # absent: the script creates it
    sys.stderr.write("An error occurred (NoSuchEntity) when calling the GetRole operation: not found\n")
    sys.exit(254)
answer = ANSWERS.get((service, operation), "")
if answer:
    print(answer)
PY
chmod +x "$work/fake-aws"

# The stand-in for mvn: records its arguments and leaves a jar where the build would.
cat >"$work/fake-mvn" <<'SH'
#!/bin/sh
echo "$*" >>"$CHECK_MVN_ARGS"
mkdir -p target && echo jar >target/silo-reports-0.0.0-check-shaded.jar
SH
chmod +x "$work/fake-mvn"

export AWS_ACCESS_KEY_ID=check AWS_SECRET_ACCESS_KEY=check AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1
unset AWS_CLI_EXTRA AWS_PROFILE
failures=0
for bin in ${bins[@]+"${bins[@]}"}; do
  real=$(command -v "$bin") || { echo "no AWS CLI at $bin"; exit 2; }
  for sh in ${bashes[@]+"${bashes[@]}"}; do
    # shellcheck disable=SC2016  # the version of the bash under test, expanded by it
    echo "== $("$real" --version 2>&1 | head -1) / $("$sh" -c 'echo "bash $BASH_VERSION"')"
    root=$work/run/root
    rm -rf "$work/run" && mkdir -p "$root" "$work/run/bin"
    cp -R "$src/deploy" "$src/conf" "$root/"
    ln -s "$work/fake-aws" "$work/run/bin/aws"
    ln -s "$work/fake-mvn" "$work/run/bin/mvn"
    ln -s "$sh" "$work/run/bin/bash"
    before=$(wc -l <"$log")
    (cd "$root" && PATH="$work/run/bin:$PATH" CHECK_REAL_AWS=$real CHECK_LOG=$log CHECK_STEPS=$work/run/steps \
      CHECK_MVN_ARGS=$work/run/mvn-args "$sh" "$work/readme.sh" >"$work/run/out" 2>&1)
    calls=$(($(wc -l <"$log") - before))
    while read -r code step; do
      if [ "$code" = 0 ]; then printf 'ok    %s\n' "$step"; else
        printf 'FAIL  %s (exit %s)\n' "$step" "$code"; failures=$((failures + 1)); fi
    done <"$work/run/steps"
    refused=$(tail -n "$calls" "$log" | grep -c '"status": "FAIL"')
    if [ "$refused" -gt 0 ]; then
      tail -n "$calls" "$log" | grep '"status": "FAIL"' | sed 's/^/      refused: /'
      failures=$((failures + refused))
    fi
    grep -q -- '-Pemr-7.11' "$work/run/mvn-args" 2>/dev/null \
      || { echo "FAIL  the build for EMR does not use -Pemr-7.11: $(cat "$work/run/mvn-args" 2>/dev/null)"; failures=$((failures + 1)); }
    [ "$failures" -eq 0 ] || sed 's/^/      | /' "$work/run/out" | tail -40
    echo "$calls aws calls, $((calls - refused)) accepted"
  done
done
if [ "$failures" -eq 0 ]; then echo "all commands accepted by the CLI"; else echo "$failures failure(s)"; exit 1; fi
