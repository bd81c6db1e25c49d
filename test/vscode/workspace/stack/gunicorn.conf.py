# Threaded workers keep idle connections for `keepalive` seconds.
bind = "127.0.0.1:8000"
worker_class = "gthread"
threads = 4
keepalive = 2
