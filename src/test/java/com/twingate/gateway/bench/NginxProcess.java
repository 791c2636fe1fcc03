package com.twingate.gateway.bench;

import com.twingate.gateway.testkit.Tools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * nginx from Debian as the reference reverse proxy, doing the gateway's work minus the Twingate
 * protocol: TLS 1.3 termination with the gateway's certificate, the same header rewrite (identity
 * headers dropped, {@code Authorization}, {@code Impersonate-User}, {@code Impersonate-Group} set),
 * TLS 1.3 to the upstream verified against its CA, kept-alive upstream connections, unbuffered
 * streaming, an access-log line per request (the gateway writes an audit line), and the upgrade relay
 * for exec. In the foreground, on loopback, with a configuration written to a temporary directory.
 *
 * <p>Two front doors in one process: {@link #port()} terminates one TLS layer, as a plain reverse
 * proxy does; {@link #doubleTlsPort()} does the gateway's TLS work — its {@code stream} module
 * (Debian's {@code libnginx-mod-stream}) terminates an outer TLS and passes what is inside (kubectl's
 * own TLS) over loopback to an {@code http} server that terminates that too and proxies as above.
 */
final class NginxProcess implements AutoCloseable {

    private static final String IDENTITY = """
                  proxy_set_header Host localhost;
                  proxy_set_header Authorization "Bearer bench";
                  proxy_set_header Proxy-Authorization "";
                  proxy_set_header Impersonate-User "alice@example.com";
                  proxy_set_header Impersonate-Group "developers";
                  proxy_set_header Impersonate-Uid "";
            """;

    /** Where Debian's {@code libnginx-mod-stream} puts the module. */
    static final Path STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");

    private final Process process;
    private final Path directory;
    private final int port;
    private final int doubleTlsPort;

    private NginxProcess(Process process, Path directory, int port, int doubleTlsPort) {
        this.process = process;
        this.directory = directory;
        this.port = port;
        this.doubleTlsPort = doubleTlsPort;
    }

    static Path binary() {
        return Tools.binary("nginx").or(() -> java.util.Optional.of(Path.of("/usr/sbin/nginx")).filter(Files::isExecutable))
                .orElseThrow(() -> new IllegalStateException("nginx is not installed: apt-get install -y nginx-light"));
    }

    static String version() throws Exception {
        Process version = new ProcessBuilder(binary().toString(), "-v").redirectErrorStream(true).start();
        String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        version.waitFor(10, TimeUnit.SECONDS);
        return text;
    }

    static NginxProcess start(Path parent, Path certificate, Path privateKey, int apiPort, int streamsPort, Path upstreamCa)
            throws Exception {
        if (!Files.exists(STREAM_MODULE)) {
            throw new IllegalStateException("nginx's stream module is not installed: apt-get install -y libnginx-mod-stream");
        }
        Path directory = Files.createDirectories(parent.resolve("nginx"));
        int port = GatewayProcess.freePort();
        int doubleTlsPort = GatewayProcess.freePort();
        int innerPort = GatewayProcess.freePort();
        String upstreamTls = """
                  proxy_ssl_protocols TLSv1.3;
                  proxy_ssl_server_name on;
                  proxy_ssl_name localhost;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate %s;
                  proxy_http_version 1.1;
                  proxy_buffering off;
                  proxy_request_buffering off;
            """.formatted(upstreamCa);
        // The same locations behind both front doors: one TLS layer on port, the inner of two on innerPort.
        String locations = """
                    ssl_certificate %1$s;
                    ssl_certificate_key %2$s;
                    ssl_protocols TLSv1.3;
                    location / {
                      proxy_pass https://api;
                      proxy_set_header Connection "";
                %3$s%4$s    }
                    location ~ ^/api/v1/namespaces/[^/]+/pods/[^/]+/(exec|attach|portforward)$ {
                      proxy_pass https://streams;
                      proxy_set_header Upgrade $http_upgrade;
                      proxy_set_header Connection "upgrade";
                      proxy_read_timeout 3600s;
                      proxy_send_timeout 3600s;
                %3$s%4$s    }
                """.formatted(certificate, privateKey, IDENTITY, upstreamTls);
        String config = """
                load_module %1$s;
                worker_processes 2;
                daemon off;
                pid %2$s/nginx.pid;
                error_log %2$s/error.log warn;
                events { worker_connections 16384; }
                stream {
                  server {
                    listen 127.0.0.1:%3$d ssl;
                    ssl_certificate %4$s;
                    ssl_certificate_key %5$s;
                    ssl_protocols TLSv1.3;
                    proxy_pass 127.0.0.1:%6$d;
                    proxy_timeout 3600s;
                  }
                }
                http {
                  access_log %2$s/access.log;
                  client_body_temp_path %2$s/body;
                  proxy_temp_path %2$s/proxy;
                  fastcgi_temp_path %2$s/fastcgi;
                  uwsgi_temp_path %2$s/uwsgi;
                  scgi_temp_path %2$s/scgi;
                  keepalive_requests 100000000;
                  keepalive_timeout 3600s;
                  upstream api { server 127.0.0.1:%7$d; keepalive 128; keepalive_requests 100000000; keepalive_timeout 3600s; }
                  upstream streams { server 127.0.0.1:%8$d; }
                  server {
                    listen 127.0.0.1:%9$d ssl;
                %10$s  }
                  server {
                    listen 127.0.0.1:%6$d ssl;
                %10$s  }
                }
                """.formatted(STREAM_MODULE, directory, doubleTlsPort, certificate, privateKey, innerPort, apiPort, streamsPort,
                port, locations);
        Path file = Files.writeString(directory.resolve("nginx.conf"), config);
        Process process = new ProcessBuilder(binary().toString(), "-p", directory.toString(), "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("stdout.log").toFile()).start();
        NginxProcess nginx = new NginxProcess(process, directory, port, doubleTlsPort);
        nginx.awaitListening(port);
        nginx.awaitListening(doubleTlsPort);
        return nginx;
    }

    /** One TLS layer, then HTTP/1.1. */
    int port() {
        return port;
    }

    /** An outer TLS layer with kubectl's TLS inside it, as on the gateway's port (without the CONNECT). */
    int doubleTlsPort() {
        return doubleTlsPort;
    }

    /** The master's; the workers are its children. */
    long pid() {
        return process.pid();
    }

    Path directory() {
        return directory;
    }

    private void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited: " + Files.readString(directory.resolve("stdout.log"))
                        + readIfExists(directory.resolve("error.log")));
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50); // nginx is still starting
            }
        }
        throw new IllegalStateException("nginx did not listen on " + port);
    }

    private static String readIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
