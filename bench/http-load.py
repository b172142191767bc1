"""http-load.py URL CLIENTS SECONDS: requests per second of GET URL from CLIENTS
threads, each on one keep-alive connection (http.client); prints "rps errors"."""
import http.client
import sys
import threading
import time
import urllib.parse

url = urllib.parse.urlsplit(sys.argv[1])
clients = int(sys.argv[2])
seconds = float(sys.argv[3])
counts = [0] * clients
errors = [0] * clients
stop = time.monotonic() + seconds


def client(i):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    while time.monotonic() < stop:
        try:
            conn.request("GET", url.path)
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                counts[i] += 1
            else:
                errors[i] += 1
        except Exception:
            errors[i] += 1
            conn.close()
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)


threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
start = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{sum(counts) / (time.monotonic() - start):.0f} {sum(errors)}")
