#!/usr/bin/env python3
"""The same NETCONF work as ensm's benchmark, done with python3-ncclient as shipped by Debian.

Started by io.ensm.netconf.bench.NetconfBenchmark, which interleaves these runs with its own so
that both see the same machine load. One command per line on stdin, one answer per line on stdout:

  bare      edit-config of the sample into the candidate + commit, on the warm session
  txn       lock, edit-config (rollback-on-error), commit confirmed, get-config of running with
            the sample's subtree as filter (checked), confirming commit, unlock; warm session
  fresh     what a script does per connection: connect (SSH, hello), the same transaction, close
  quit

Answer: "ok <nanoseconds>" for the timed part, or "error <step>: <reason>". Every change is undone
(untimed) before the answer. The host key is checked against the test bed's known_hosts; the
password is read from a file and never printed.
"""

import argparse
import sys
import time

from lxml import etree
from ncclient import manager, transport

IF_NS = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
NAME = "eth1.100"
FILTER = '<interfaces xmlns="%s"><interface><name>%s</name></interface></interfaces>' % (IF_NS, NAME)
REMOVE = ('<config xmlns="%s"><interfaces xmlns="%s"><interface xmlns:nc="%s" nc:operation="remove">'
          '<name>%s</name></interface></interfaces></config>') % (NC_NS, IF_NS, NC_NS, NAME)


class StepFailed(Exception):
    def __init__(self, step, reason):
        super().__init__("%s: %s" % (step, reason))


def step(name, call):
    try:
        return call()
    except Exception as e:  # ncclient raises RPCError, transport and timeout errors
        raise StepFailed(name, str(e).replace("\n", " ")) from e


def connect(args, password):
    # manager.connect_ssh would read ~/.ssh/known_hosts; the test bed has its own file.
    handler = manager.make_device_handler({})
    session = transport.SSHSession(handler)
    session.load_known_hosts(args.known_hosts)
    session.connect(host=args.host, port=args.port, username=args.user, password=password,
                    hostkey_verify=True, look_for_keys=False, allow_agent=False, timeout=30)
    return manager.Manager(session, handler, timeout=30)


def bare(m, config):
    step("edit-config", lambda: m.edit_config(target="candidate", config=config))
    step("commit", lambda: m.commit())


def transaction(m, config):
    step("lock", lambda: m.lock(target="candidate"))
    try:
        step("edit-config", lambda: m.edit_config(target="candidate", config=config,
                                                  error_option="rollback-on-error"))
        step("commit", lambda: m.commit(confirmed=True, timeout="60"))
        reply = step("read-back", lambda: m.get_config(source="running", filter=("subtree", FILTER)))
        found = etree.fromstring(reply.data_xml.encode()).findall(".//{%s}interface/{%s}description" % (IF_NS, IF_NS))
        if not any(d.text == "ensm:conn-1" for d in found):
            step("read-back", lambda: m.cancel_commit())
            raise StepFailed("read-back", "%s does not hold on the device after the commit" % NAME)
        step("confirming commit", lambda: m.commit())
    except StepFailed:
        m.discard_changes()
        raise
    finally:
        m.unlock(target="candidate")


def undo(m):
    m.edit_config(target="candidate", config=REMOVE)
    m.commit()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password-file", required=True)
    p.add_argument("--known-hosts", required=True)
    p.add_argument("--sample", required=True, help="file with the children of <config>")
    args = p.parse_args()
    with open(args.password_file) as f:
        password = f.read().strip()
    with open(args.sample) as f:
        config = '<config xmlns="%s">%s</config>' % (NC_NS, f.read())

    warm = connect(args, password)
    print("ready ncclient", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        try:
            t0 = time.perf_counter_ns()
            if command == "bare":
                bare(warm, config)
            elif command == "txn":
                transaction(warm, config)
            elif command == "fresh":
                with connect(args, password) as m:
                    transaction(m, config)
            else:
                raise StepFailed("command", "unknown command %r" % command)
            took = time.perf_counter_ns() - t0
            undo(warm)
            print("ok %d" % took, flush=True)
        except StepFailed as e:
            print("error %s" % e, flush=True)
    warm.close_session()


if __name__ == "__main__":
    main()
