"""OpenSDN's config API server (vnc_cfg_api_server) in one process, on loopback, for tests.

It is the real server code (resource classes, schema checks, address management, VLAN and
virtual-port-group rules), started the way OpenSDN's own unit tests start it: its database,
ZooKeeper and RabbitMQ clients are replaced by the in-memory fakes those tests ship
(cfgm_common.tests). All state is in memory, so every start is an empty server with the objects
the server makes itself (default-domain, default-project, default-global-system-config,
default-fabric, ...).

    python3 opensdn_api_server.py --port P --introspect-port P2 --admin-port P3 --log-dir DIR

Run by scripts/opensdn-testbed with PYTHONPATH set to the packages it built.
"""
import sys

# The Cassandra driver prefers eventlet's reactor when it can import eventlet, and that reactor
# stalls under gevent's monkey patching: make the import fail before anything tries it.
sys.modules['eventlet'] = None

import argparse  # noqa: E402
import os  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True, help='the REST API port')
    parser.add_argument('--introspect-port', type=int, required=True, help='the sandesh introspect port')
    parser.add_argument('--admin-port', type=int, required=True, help='the admin API port')
    parser.add_argument('--log-dir', required=True, help='where the server and its fakes write logs')
    parser.add_argument('--cluster-id', default='ensm', help='prefix of the fake keyspaces and ZooKeeper paths')
    args = parser.parse_args()

    os.makedirs(args.log_dir, exist_ok=True)
    os.chdir(args.log_dir)  # the server writes api_server_<cluster>.log into its working directory

    # Importing test_common monkey-patches the standard library for gevent, as the server expects.
    import gevent
    from cfgm_common.tests import test_common
    import cfgm_common.zkclient
    from cfgm_common.vnc_cassandra import VncCassandraClient

    cfgm_common.zkclient.LOG_DIR = args.log_dir
    test_common.setup_mocks(test_common.TestCase.mocks)
    # The real wrapper logs every database call and retries on driver errors the fake never raises.
    VncCassandraClient._handle_exceptions = test_common.fake_wrapper

    answer_without_delay()

    knobs = [('DEFAULTS', '', ''), ('DEFAULTS', 'http_server_ip', '127.0.0.1')]
    server = gevent.spawn(test_common.launch_api_server, args.cluster_id, '127.0.0.1', args.port,
                          args.introspect_port, args.admin_port, knobs)
    server.join()
    if server.exception is not None:
        print('opensdn_api_server: the API server stopped: %r' % (server.exception,), file=sys.stderr)
        sys.exit(1)


def answer_without_delay():
    """TCP_NODELAY on every accepted connection.

    gevent's WSGI handler writes an answer's headers and body separately; with Nagle's algorithm on,
    the body then waits for the client's delayed ACK of the headers, about 40 ms per call on a kept-
    alive connection, so figures measured against the test bed would show the kernel's ACK timer
    rather than the server's work.
    """
    import socket
    import gevent.pywsgi

    original = gevent.pywsgi.WSGIHandler.__init__

    def init(self, sock, *args, **kwargs):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        original(self, sock, *args, **kwargs)

    gevent.pywsgi.WSGIHandler.__init__ = init


if __name__ == '__main__':
    main()
