"""Gunicorn settings shared by the Procfile, docker-compose and the image (`-c gunicorn.conf.py`).

The access log names the path but never the query string or the referrer: a search such as
/petani/?q=7312... carries a farmer's NIK, and a log is copied and kept far longer than a page.
"""

accesslog = "-"
# remote address, -, user, time, "method path protocol", status, bytes, seconds taken
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
