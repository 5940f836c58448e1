#!/usr/bin/env python3
"""The production set-up, tried as its users reach it: through nginx (TLS, HTTP/2) to two app
instances on one PostgreSQL. Started by run.sh, which passes what it started in the environment.
Each check prints one line; the first that fails stops the run with exit code 1."""

import datetime
import http.client
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.parse
import uuid
import warnings

# Old TLS versions are named on purpose: to see them refused.
warnings.filterwarnings("ignore", category=DeprecationWarning)

HTTPS = int(os.environ["DEPLOY_HTTPS_PORT"])
HTTP = int(os.environ["DEPLOY_HTTP_PORT"])
INSTANCES = {
    "A": (int(os.environ["DEPLOY_PORT_A"]), os.environ["DEPLOY_PID_A"]),
    "B": (int(os.environ["DEPLOY_PORT_B"]), os.environ["DEPLOY_PID_B"]),
}
DB = os.environ["DEPLOY_DATABASE_URL"]
CERT = os.environ["DEPLOY_CERT"]
PASSWORD = "demo-liaison"
# The client's own address: not nginx's (127.0.0.1), so the audit trail can tell them apart.
CLIENT = "127.0.0.2"
ORIGIN = f"https://localhost:{HTTPS}"


def ok(what):
    print(f"  ok  {what}", flush=True)


def fail(what):
    print(f"  FAIL {what}", flush=True)
    sys.exit(1)


def check(cond, what):
    if cond:
        ok(what)
    else:
        fail(what)


def sql(query):
    out = subprocess.run(
        ["psql", DB, "-tAX", "-c", query], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def tls(maximum=None, minimum=None):
    ctx = ssl.create_default_context(cafile=CERT)
    if maximum:
        ctx.maximum_version = maximum
    if minimum:
        ctx.minimum_version = minimum
    return ctx


class Client:
    """A browser-like client: through nginx over HTTPS from 127.0.0.2, or straight to one
    instance over HTTP (as nginx talks to it), with its own cookies."""

    def __init__(self, instance=None):
        self.instance = instance
        self.cookies = {}

    def connect(self):
        if self.instance is None:
            return http.client.HTTPSConnection(
                "localhost", HTTPS, context=tls(), source_address=(CLIENT, 0), timeout=30
            )
        return http.client.HTTPConnection("127.0.0.1", INSTANCES[self.instance][0], timeout=30)

    def request(self, method, path, form=None, headers=None, body=None):
        conn = self.connect()
        h = {"Accept": "application/json"}
        if self.instance is None:
            h["Origin"] = ORIGIN
        else:
            # What nginx sends on: the client's address appended.
            h["X-Forwarded-For"] = CLIENT
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        res = conn.getresponse()
        data = res.read()
        for value in res.headers.get_all("Set-Cookie") or []:
            pair = value.split(";", 1)[0]
            name, _, v = pair.partition("=")
            if v:
                self.cookies[name] = v
            else:
                self.cookies.pop(name, None)
        conn.close()
        return res, data

    def call(self, endpoint, form=None):
        res, data = self.request("POST", f"/api/{endpoint}", form or {})
        try:
            return res.status, json.loads(data) if data else None, res
        except ValueError:
            return res.status, data, res

    def sign_in(self, login):
        status, _, res = self.call("login", {"login": login, "password": PASSWORD})
        if status != 200:
            fail(f"{login} signs in: {status}")
        return res

    def on(self, instance):
        """The same session, straight to one instance."""
        other = Client(instance)
        other.cookies = dict(self.cookies)
        return other


def transport():
    print("TLS, HTTP/2, HSTS, redirects", flush=True)
    # TLS 1.1 and older are refused; 1.2 and 1.3 are spoken.
    for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        try:
            ctx = tls(maximum=version)
            ctx.set_ciphers("ALL:@SECLEVEL=0")
            conn = http.client.HTTPSConnection("localhost", HTTPS, context=ctx, timeout=10)
            conn.request("GET", "/healthz")
            conn.getresponse()
            fail(f"{version.name} is refused")
        except (ssl.SSLError, ConnectionError, OSError):
            ok(f"{version.name} is refused")
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        conn = http.client.HTTPSConnection(
            "localhost", HTTPS, context=tls(minimum=version, maximum=version), timeout=10
        )
        conn.request("GET", "/healthz")
        res = conn.getresponse()
        body = res.read()
        check(res.status == 200 and body == b"ok", f"{version.name} serves /healthz")
    # ALPN offers HTTP/2.
    ctx = tls()
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    import socket

    with socket.create_connection(("127.0.0.1", HTTPS)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            check(s.selected_alpn_protocol() == "h2", "HTTP/2 is negotiated")
    res, _ = Client().request("GET", "/login")
    hsts = res.getheader("Strict-Transport-Security") or ""
    check("max-age=63072000" in hsts, f"HSTS: {hsts}")
    check(res.getheader("Server") == "nginx", "nginx does not say its version")
    conn = http.client.HTTPConnection("127.0.0.1", HTTP, timeout=10)
    conn.request("GET", "/login", headers={"Host": f"localhost:{HTTP}"})
    res = conn.getresponse()
    check(
        res.status == 301 and (res.getheader("Location") or "").startswith("https://"),
        "plain HTTP is sent to HTTPS",
    )


def sessions_and_data():
    print("sessions and data across the two instances", flush=True)
    cadre = Client()
    # A client that claims another address: the app must not believe it.
    res = cadre.sign_in("cadre01")
    cookie = res.getheader("Set-Cookie") or ""
    check("Secure" in cookie and "HttpOnly" in cookie, "the session cookie is Secure, HttpOnly")
    login_ip = sql(
        "SELECT ip FROM audit_log a JOIN accounts u ON u.id = a.actor_id "
        "WHERE u.username = 'cadre01' AND a.action = 'login' ORDER BY a.seq DESC LIMIT 1"
    )
    check(login_ip == CLIENT, f"the audit trail has the client's address ({login_ip}), not nginx's")
    # Sign in with a forged X-Forwarded-For: nginx appends the real address after it.
    forged = Client()
    conn = forged.connect()
    conn.request(
        "POST",
        "/api/login",
        body=urllib.parse.urlencode({"login": "cadre03", "password": PASSWORD}),
        headers={
            "Accept": "application/json",
            "Origin": ORIGIN,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": "6.6.6.6",
        },
    )
    conn.getresponse().read()
    forged_ip = sql(
        "SELECT ip FROM audit_log a JOIN accounts u ON u.id = a.actor_id "
        "WHERE u.username = 'cadre03' AND a.action = 'login' ORDER BY a.seq DESC LIMIT 1"
    )
    check(forged_ip == CLIENT, f"a forged X-Forwarded-For is not believed ({forged_ip})")

    # Round-robin: a run of requests through nginx reaches both instances, all signed in.
    for _ in range(6):
        status, body, _ = cadre.call("today")
        if status != 200:
            fail(f"the session holds through nginx: {status} {body}")
    ok("six calls through nginx (both instances) with one session")
    for name in INSTANCES:
        status, _, _ = cadre.on(name).call("today")
        check(status == 200, f"the session is valid on instance {name}")

    status, roster, _ = cadre.call("youth/roster")
    youth = roster["entries"][0]["id"]
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
    form = {
        "request_id": str(uuid.uuid4()),
        "youth_id": str(youth),
        "contact_date": today,
        "channel": "phone",
        "content": "部署测试：经实例 A 记录",
        "request": "",
        "duration_minutes": "15",
    }
    status, contact, _ = cadre.on("A").call("contacts/create", form)
    check(status == 200 and isinstance(contact, int), f"a contact logged on instance A ({status})")
    status, seen, _ = cadre.on("B").call("contacts/get", {"id": str(contact)})
    check(
        status == 200 and seen["contact"]["content"] == "部署测试：经实例 A 记录",
        "and read on instance B",
    )
    # The same request again (a resend) makes no second contact.
    status, again, _ = cadre.call("contacts/create", form)
    check(status == 200 and again == contact, "a resend through nginx is the same contact")
    # HTTP/2 from curl: a state-changing POST passes the same-origin check through nginx.
    out = subprocess.run(
        [
            "curl", "-sS", "--http2", "--cacert", CERT, "--interface", CLIENT,
            "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
            "-H", f"Origin: {ORIGIN}", "-H", "Accept: application/json",
            "-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cadre.cookies.items()),
            "-X", "POST", f"{ORIGIN}/api/today",
        ],
        check=True, capture_output=True, text=True,
    ).stdout
    check(out == "2 200", f"a POST over HTTP/2 ({out})")
    return cadre


def limits_and_caching():
    print("upload limit, /pkg caching", flush=True)
    big = b"x" * (11 * 1024 * 1024)
    res, _ = Client().request(
        "POST", "/api/import/dry-run", body=big, headers={"Content-Type": "application/octet-stream"}
    )
    check(res.status == 413, f"11 MB is refused by nginx ({res.status})")
    res, page = Client().request("GET", "/login", headers={"Accept": "text/html"})
    page = page.decode()
    start = page.index('href="/pkg/') + len('href="')
    pkg = page[start : page.index('"', start)]
    first, _ = Client().request("GET", pkg)
    second, _ = Client().request("GET", pkg)
    cache = second.getheader("Cache-Control") or ""
    check(first.status == 200 and "immutable" in cache, f"{pkg}: {cache}")
    check(second.getheader("X-Cache") == "HIT", f"nginx keeps {pkg} (X-Cache: {second.getheader('X-Cache')})")


def reminders():
    print("reminders: both instances tick, each reminder is made once", flush=True)
    deadline = time.time() + 60
    ticks = "0"
    while time.time() < deadline:
        ticks = sql("SELECT count(*) FROM scheduler_ticks WHERE last_at > now() - interval '1 minute'")
        if ticks == "2":
            break
        time.sleep(1)
    check(ticks == "2", "both instances tick")
    # Instance A made the reminders due before B started. Take them away: the next ticks of
    # both instances, every 2 seconds, race to make them again. (Before 09:00 in Shanghai no
    # reminder is due yet: then only the race below, at a chosen instant, runs.)
    made = int(sql("SELECT count(*) FROM notifications"))
    if made > 0:
        sql("DELETE FROM notifications")
        time.sleep(8)
        again = int(sql("SELECT count(*) FROM notifications"))
        check(again == made and not duplicates(), f"{made} made again by racing ticks, none twice")
    else:
        ok("no reminder is due before 09:00 in Shanghai: the instances' ticks made none")
    # The same race on any day at any hour: two ticks at once, as of 09:30 today in Shanghai.
    sql("DELETE FROM notifications")
    day = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    at = f"{day.isoformat()}T09:30:00+08:00"
    env = dict(os.environ, LIAISON_DATABASE_URL=DB)
    ticks = [
        subprocess.Popen([os.environ["DEPLOY_BIN"], "remind", "--at", at], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    codes = [t.wait(timeout=120) for t in ticks]
    count = int(sql("SELECT count(*) FROM notifications"))
    check(codes == [0, 0] and count > 0 and not duplicates(),
          f"two ticks at once as of {at}: {count} reminders, none twice")


def duplicates():
    return sql(
        "SELECT count(*) FROM (SELECT account_id, kind, period_key FROM notifications "
        "GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
    ) != "0"


def exports():
    print("an export claimed by one instance, downloaded through the other", flush=True)
    sup = Client()
    sup.sign_in("supervisor")
    status, listing, _ = sup.call("exports/list")
    quarter = listing["quarters"][0]
    status, job, _ = sup.call(
        "exports/create",
        {"request_id": str(uuid.uuid4()), "org_id": "", "quarter": quarter, "format": "xlsx"},
    )
    check(status == 200, f"an export of {quarter} is queued")
    deadline = time.time() + 120
    while time.time() < deadline:
        status, st, _ = sup.call("exports/status", {"id": str(job)})
        if st["state"] in ("Done", "done", "Failed", "failed"):
            break
        time.sleep(1)
    check(str(st["state"]).lower() == "done", f"it finishes: {st}")
    claimed = sql(f"SELECT claimed_by FROM export_jobs WHERE id = {job}")
    maker = next((n for n, (_, pid) in INSTANCES.items() if f":{pid}:" in claimed), None)
    check(maker is not None, f"instance {maker} made it ({claimed})")
    other = "B" if maker == "A" else "A"
    res, data = sup.on(other).request("GET", st["url"], headers={"Accept": "*/*"})
    check(
        res.status == 200 and data[:2] == b"PK" and len(data) > 1000,
        f"instance {other} serves the file ({res.status}, {len(data)} bytes)",
    )


def main():
    transport()
    sessions_and_data()
    limits_and_caching()
    reminders()
    exports()
    print("deploy test passed", flush=True)


if __name__ == "__main__":
    main()
