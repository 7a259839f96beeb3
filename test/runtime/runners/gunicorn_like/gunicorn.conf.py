bind = "127.0.0.1:8000"
workers = 2
preload_app = True
wsgi_app = "app:application"
