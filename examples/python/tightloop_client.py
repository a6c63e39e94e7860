#!/usr/bin/python3
"""A client of `tightloop serve`, standard library only (Python 3.11).

It follows the event stream (GET /v1/events?since=N) in a background thread, submits the
orders of a JSON Lines file as one batch (POST /v1/books/{book}/orders), prints one line per
result, waits until the stream has delivered an `order` event for every submitted
operation_id, then prints the book's positions and NAV (GET /v1/books/{book}/positions).

Amounts are exact decimals with up to 18 fractional digits written as JSON numbers: they are
parsed as decimal.Decimal (never a float) and printed digit for digit as the server wrote them.
The orders are sent as their own text, so nothing in them is rounded either.

Output (stdout):
    <operation_id> <status> <error_code or ->      one line per result, in order; " duplicate"
                                                   added for an operation_id the book had used
    events: <n> of <m> order events seen (last seq <s>)
    positions of book <book>:
    <position key> <amount>                          one line per position, sorted
    NAV <amount>                                     ("NAV unknown (...)" when unpriced)
    HALTED <code> <reason>                           only when the book is halted
Notes (reconnects, a 410 restart, errors) go to stderr.

Exit codes: 0 done (failed orders are results, not errors); 1 an error: a bad command line or
orders file, the daemon cannot be reached, an HTTP error (its error.code and message are
printed), or the events did not all arrive within --timeout seconds.

Example:
    TIGHTLOOP_TOKEN=... python3 tightloop_client.py --url http://127.0.0.1:8080 \\
        --book main --orders orders.jsonl
"""

import argparse
import decimal
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.parse

PROG = "tightloop_client"


def loads(text):
    """JSON with every non-integer number as an exact Decimal (integers are exact ints)."""
    return json.loads(text, parse_float=decimal.Decimal)


def show(value):
    """A value as the server wrote it: a Decimal in plain notation with all its digits."""
    if value is None:
        return "-"
    if isinstance(value, decimal.Decimal):
        # format 'f' keeps the exact digits and never switches to an exponent
        # (str() would print 0.000000000000000001 as 1E-18).
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ApiError(Exception):
    """An HTTP error answer ({"error": {"code", "message"}}) or no answer at all."""

    def __init__(self, status, code, message, what):
        super().__init__(f"{code}: {message}")
        self.status = status  # 0: no answer (cannot connect, connection lost)
        self.code = code
        self.message = message
        self.what = what  # "GET /v1/..."

    def describe(self):
        where = f"HTTP {self.status} on {self.what}" if self.status else self.what
        return f"{self.code}: {self.message} ({where})"


def error_from(status, text, what):
    try:
        body = loads(text)
        error = body["error"]
        return ApiError(status, str(error["code"]), str(error["message"]), what)
    except (ValueError, KeyError, TypeError):
        return ApiError(status, f"HTTP-{status}", text.strip()[:500] or "(no body)", what)


class Api:
    def __init__(self, url, token, request_timeout):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--url must be http://HOST:PORT, got '{url}'")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.token = token
        self.request_timeout = request_timeout

    def connection(self, timeout):
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def headers(self, body):
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def request(self, method, path, body=None):
        """The parsed JSON answer of a 2xx; ApiError otherwise."""
        what = f"{method} {path}"
        conn = self.connection(self.request_timeout)
        try:
            data = body.encode("utf-8") if body is not None else None
            conn.request(method, self.prefix + path, body=data, headers=self.headers(body))
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        except (OSError, http.client.HTTPException) as e:
            raise ApiError(0, "CONNECT", f"no answer from {self.host}:{self.port}: {e}", what)
        finally:
            conn.close()
        if not 200 <= response.status < 300:
            raise error_from(response.status, text, what)
        try:
            return loads(text)
        except ValueError as e:
            raise ApiError(response.status, "BAD-JSON", f"the answer is not JSON: {e}", what)


class EventFollower(threading.Thread):
    """Follows GET /v1/events?since=N and remembers the order events of one book.

    A dropped connection (or a stream the server ended) is reopened with since=<last seq>, so
    nothing still retained is missed and nothing is seen twice. A 410 (the events after
    <last seq> are gone) restarts from since=0 and says so. Any other HTTP error stops the
    follower: `fatal` holds it.
    """

    READ_TIMEOUT = 60.0  # a silent stream is reopened after this long (quietly)

    def __init__(self, api, book, since, verbose, note):
        super().__init__(name="events", daemon=True)
        self.api = api
        self.book = book
        self.last_seq = since
        self.verbose = verbose
        self.note = note
        self.cond = threading.Condition()
        self.seen = {}  # operation_id -> status, order events of `book`
        self.connected = False  # the first 200 arrived
        self.fatal = None  # ApiError that ended the follower
        self.events = 0
        self.last_error = None  # why the last connection failed, for the main thread
        self._stopping = False
        self._sock = None  # the stream's socket, to shut down from stop()

    # -- for the main thread --

    def stop(self):
        with self.cond:
            self._stopping = True
            sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes up a blocked readline
            except OSError:
                pass

    def wait_for(self, predicate, deadline):
        """Waits (under the lock) until predicate() or fatal or the deadline; predicate()."""
        with self.cond:
            while not predicate() and self.fatal is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.cond.wait(remaining)
            return predicate()

    # -- the thread --

    def run(self):
        backoff = 0.1
        while not self._stopping:
            since = self.last_seq
            what = f"GET /v1/events?since={since}"
            conn = self.api.connection(self.READ_TIMEOUT)
            opened = False  # this connection answered 200
            try:
                conn.connect()
                with self.cond:
                    self._sock = conn.sock
                    if self._stopping:
                        return
                conn.request("GET", f"{self.api.prefix}/v1/events?since={since}",
                             headers=self.api.headers(None))
                response = conn.getresponse()
                if response.status != 200:
                    error = error_from(response.status,
                                       response.read().decode("utf-8", "replace"), what)
                    restart = self._restart_point(error, since)
                    if restart is None:
                        self._fail(error)
                        return
                    with self.cond:
                        self.last_seq = restart
                    backoff = 0.1
                    continue
                opened = True
                with self.cond:
                    self.connected = True
                    self.cond.notify_all()
                backoff = 0.1
                while True:
                    line = response.readline()
                    if not line:
                        break  # the server ended the stream (stopping, say)
                    line = line.strip()
                    if line:
                        self._event(loads(line.decode("utf-8")))
                if not self._stopping:
                    self.note(f"events: the stream ended; reconnecting with "
                              f"since={self.last_seq}")
            except socket.timeout:
                if self.verbose and not self._stopping:
                    self.note(f"events: silent for {self.READ_TIMEOUT:g} s; reconnecting with "
                              f"since={self.last_seq}")
                backoff = 0.1
            except (OSError, http.client.HTTPException, ValueError) as e:
                if self._stopping:
                    return
                self.last_error = f"{e.__class__.__name__}: {e}"
                self.note(f"events: {'connection lost' if opened else 'cannot connect'} "
                          f"({self.last_error}); reconnecting with since={self.last_seq}")
            finally:
                conn.close()
            if self._stopping:
                return
            time.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    def _restart_point(self, error, since):
        """Where to go on after an error answer to since=`since`; None: give up."""
        if error.status == 410 and since != 0:
            self.note(f"events: {error.describe()}; restarting from since=0 "
                      f"(the events after {since} that are gone were missed)")
            return 0
        if error.status == 400 and self.connected and since != 0:
            # since is after the daemon's last event: it restarted and numbers from 1 again.
            self.note(f"events: {error.describe()}; the daemon restarted? restarting from "
                      "since=0")
            return 0
        return None

    def _fail(self, error):
        with self.cond:
            self.fatal = error
            self.cond.notify_all()

    def _event(self, event):
        seq = event.get("seq")
        with self.cond:
            if isinstance(seq, int):
                if seq <= self.last_seq:
                    return  # already seen before a reconnect
                self.last_seq = seq
            self.events += 1
            if event.get("type") == "order" and event.get("book") == self.book:
                result = event.get("result") or {}
                op = result.get("operation_id")
                if op:
                    self.seen[op] = result.get("status")
            self.cond.notify_all()
        if self.verbose:
            self.note(f"event {show(seq)} {event.get('type')} {event.get('book', '')}".rstrip())


def read_orders(path):
    """The orders of a JSON Lines file (or a JSON array) as the text of one JSON array.

    Each order is checked to be a JSON object and sent as its own text: re-encoding would
    need floats for amounts (json.dumps cannot write a Decimal).
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ValueError(f"cannot read the orders file: {e}")
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.lstrip().startswith("["):
        try:
            orders = loads(text)
        except ValueError as e:
            raise ValueError(f"{path}: not JSON: {e}")
        if not all(isinstance(o, dict) for o in orders):
            raise ValueError(f"{path}: every entry of the array must be an order (an object)")
        if not orders:
            raise ValueError(f"{path}: no orders")
        return text.strip(), len(orders)
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            order = loads(line)
        except ValueError as e:
            raise ValueError(f"{path}:{number}: not JSON: {e}")
        if not isinstance(order, dict):
            raise ValueError(f"{path}:{number}: an order must be a JSON object")
        lines.append(line)
    if not lines:
        raise ValueError(f"{path}: no orders")
    return "[\n" + ",\n".join(lines) + "\n]", len(lines)


def read_token(args):
    if args.token_file:
        try:
            with open(args.token_file, encoding="utf-8") as f:
                token = f.readline().rstrip("\r\n ")
        except OSError as e:
            raise ValueError(f"cannot read --token-file: {e}")
        if not token:
            raise ValueError(f"--token-file {args.token_file} holds no token on its first line")
        return token
    return os.environ.get("TIGHTLOOP_TOKEN", "")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="tightloop_client.py",
        description="Submit a batch of orders to `tightloop serve`, follow its events, print "
                    "the results, positions and NAV.")
    parser.add_argument("--url", default="http://127.0.0.1:8080",
                        help="the daemon (default http://127.0.0.1:8080)")
    parser.add_argument("--token-file",
                        help="file whose first line is the bearer token (default: the "
                             "environment variable TIGHTLOOP_TOKEN; none if unset)")
    parser.add_argument("--book", default="main", help="the book (default main)")
    parser.add_argument("--orders", required=True, help="orders, JSON Lines (or a JSON array)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds to wait for the events of the orders (default 10)")
    parser.add_argument("--since", type=int, default=0,
                        help="follow the events after this seq (default 0: all retained)")
    parser.add_argument("--request-timeout", type=float, default=60.0,
                        help="seconds a single HTTP request may take (default 60)")
    parser.add_argument("--verbose", action="store_true", help="print every event on stderr")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.request_timeout <= 0:
        parser.error("--timeout and --request-timeout must be > 0")
    if args.since < 0:
        parser.error("--since must be >= 0")
    return args


def main(argv):
    try:
        args = parse_args(argv)
    except SystemExit as e:  # argparse: --help is 0, a bad command line 2 -> 1
        return 0 if e.code == 0 else 1

    lock = threading.Lock()

    def note(text):
        with lock:
            print(f"{PROG}: {text}", file=sys.stderr, flush=True)

    def out(text):
        with lock:
            print(text, flush=True)

    try:
        token = read_token(args)
        body, count = read_orders(args.orders)
        api = Api(args.url, token, args.request_timeout)
    except ValueError as e:
        note(f"error: {e}")
        return 1

    book_path = "/v1/books/" + urllib.parse.quote(args.book, safe="")
    follower = EventFollower(api, args.book, args.since, args.verbose, note)
    follower.start()
    try:
        # The stream first: a wrong token or URL fails here, before anything is submitted.
        # (Its backlog from --since covers events of orders that run before it is open.)
        deadline = time.monotonic() + args.timeout
        if not follower.wait_for(lambda: follower.connected, deadline):
            if follower.fatal is not None:
                note(f"error: {follower.fatal.describe()}")
            else:
                note(f"error: the event stream at {args.url} did not open within "
                     f"{args.timeout:g} s ({follower.last_error or 'no answer'})")
            return 1

        answer = api.request("POST", book_path + "/orders", body)
        results = answer.get("results", [])
        waiting = []
        for result in results:
            op = result.get("operation_id")
            line = f"{show(op)} {show(result.get('status'))} {show(result.get('error_code'))}"
            if result.get("duplicate"):
                # The daemon answers a used operation_id with its stored handshake and sends
                # no new event for it.
                line += " duplicate"
            elif op:
                waiting.append(op)
            out(line)
        if len(results) != count:
            note(f"warning: {count} orders sent, {len(results)} results")

        deadline = time.monotonic() + args.timeout
        complete = follower.wait_for(lambda: all(op in follower.seen for op in waiting),
                                     deadline)
        with follower.cond:
            seen = sum(1 for op in waiting if op in follower.seen)
            missing = [op for op in waiting if op not in follower.seen]
            last_seq = follower.last_seq
            fatal = follower.fatal
        if not complete:
            if fatal is not None:
                note(f"error: the event stream stopped: {fatal.describe()}")
            else:
                note(f"error: timed out after {args.timeout:g} s: {seen} of {len(waiting)} "
                     f"order events seen; missing: {' '.join(missing)}")
            return 1
        out(f"events: {seen} of {len(waiting)} order events seen (last seq {last_seq})")

        positions = api.request("GET", book_path + "/positions")
        out(f"positions of book {positions.get('book', args.book)}:")
        for key, amount in sorted(positions.get("positions", {}).items()):
            out(f"{key} {show(amount)}")
        expected = (positions.get("valuation") or {}).get("expected") or {}
        nav = expected.get("nav")
        if nav is None:
            unpriced = expected.get("unpriced") or {}
            reasons = "; ".join(f"{k}: {v}" for k, v in sorted(unpriced.items()))
            out(f"NAV unknown ({reasons or 'unpriced positions'})")
        else:
            out(f"NAV {show(nav)}")
        if positions.get("halted"):
            halt = positions.get("halt") or {}
            out(f"HALTED {show(halt.get('code'))} {show(halt.get('reason'))}")
        return 0
    except ApiError as e:
        note(f"error: {e.describe()}")
        return 1
    except KeyboardInterrupt:
        note("interrupted")
        return 1
    except BrokenPipeError:
        # stdout closed by its reader (`| head`): nobody sees the rest.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        follower.stop()
        follower.join(timeout=2.0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
