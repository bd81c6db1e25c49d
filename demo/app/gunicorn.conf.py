# The shop's app server (gunicorn). It is not started by the demo; Gateway Doctor reads this file to
# compare it with nginx (conf.d/shop.conf): where it listens, how long it lets a request run, and how
# long it keeps an idle connection.
bind = "127.0.0.1:3001"
workers = 2
worker_class = "gthread"
threads = 4
timeout = 120
