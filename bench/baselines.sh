# Sourced by bench/run.sh (bash, after common.sh): the origin (nginx) and the baseline proxy (Squid) the harness
# measures Ferry against, on free ports of 127.0.0.1, with the same settings in every run.

# install_tools: Debian's nginx, squid-openssl (Squid with TLS, for its https_port) and wrk, when missing
install_tools() {
    local missing=()
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v squid >/dev/null 2>&1 || [ -x /usr/sbin/squid ] || missing+=(squid-openssl)
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    [ ${#missing[@]} -eq 0 ] && return 0
    local apt_get=(apt-get)
    [ "$(id -u)" -eq 0 ] || apt_get=(sudo apt-get)
    echo "bench: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y "${missing[@]}" >/dev/null \
        || { DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" update >/dev/null \
             && DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y "${missing[@]}" >/dev/null; }
}

# make_cert NAME: a self-signed P-256 certificate and key, $work/NAME.pem and $work/NAME.key
make_cert() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
        -keyout "$work/$1.key" -out "$work/$1.pem" 2>/dev/null
    chmod a+r "$work/$1.key" "$work/$1.pem"
}

# start_origin BULK_MB: nginx with one worker, serving /100b (100 bytes), /64k and /bulk.bin (BULK_MB MiB) on a
# plain port ($origin_http) and a TLS port ($origin_https, TLS 1.2 and 1.3); its master process id in $origin_pid
start_origin() {
    local dir=$work/nginx
    mkdir -p "$dir/www" "$dir/tmp"
    head -c 100 /dev/zero | tr '\0' 'x' > "$dir/www/100b"
    head -c 65536 /dev/zero > "$dir/www/64k"
    head -c $(($1 * 1024 * 1024)) /dev/zero > "$dir/www/bulk.bin"
    make_cert origin
    origin_http=$(free_port)
    origin_https=$(free_port)
    local user=""
    [ "$(id -u)" -eq 0 ] && user="user root;"
    cat > "$dir/nginx.conf" <<EOF
$user
worker_processes 1;
worker_rlimit_nofile 65536;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 30000; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
    uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$origin_http;
        listen 127.0.0.1:$origin_https ssl;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $work/origin.pem;
        ssl_certificate_key $work/origin.key;
        root $dir/www;
    }
}
EOF
    nginx -c "$dir/nginx.conf" -g 'daemon off;' > "$dir/out.txt" 2>&1 &
    origin_pid=$!
    pids="$pids $origin_pid"
}

# start_squid: Squid with one process (-N), no cache, an access log like Ferry's, a plain listener ($squid_http) and
# a TLS one ($squid_https); its process id in $squid_pid
start_squid() {
    local dir=$work/squid
    mkdir -p "$dir"
    chmod 777 "$dir"
    make_cert squid
    squid_http=$(free_port)
    squid_https=$(free_port)
    cat > "$dir/squid.conf" <<EOF
http_port 127.0.0.1:$squid_http
https_port 127.0.0.1:$squid_https tls-cert=$work/squid.pem tls-key=$work/squid.key
http_access allow localhost
http_access deny all
cache deny all
access_log stdio:$dir/access.log
cache_log $dir/cache.log
pid_filename $dir/squid.pid
coredump_dir $dir
max_filedescriptors 65536
shutdown_lifetime 1 seconds
EOF
    squid -N -f "$dir/squid.conf" > "$dir/out.txt" 2>&1 &
    squid_pid=$!
    pids="$pids $squid_pid"
}

# await_port PORT: until something accepts on 127.0.0.1:PORT (30 s at most)
await_port() {
    local i=0
    until python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1).close()" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 150 ] || { echo "bench: nothing listens on port $1 after 30 s" >&2; return 1; }
        sleep 0.2
    done
}
