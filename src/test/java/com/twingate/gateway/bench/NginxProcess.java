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

    private final Process process;
    private final Path directory;
    private final int port;

    private NginxProcess(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
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
        Path directory = Files.createDirectories(parent.resolve("nginx"));
        int port = GatewayProcess.freePort();
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
        String config = """
                worker_processes 2;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 16384; }
                http {
                  access_log %1$s/access.log;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  keepalive_requests 100000000;
                  keepalive_timeout 3600s;
                  upstream api { server 127.0.0.1:%3$d; keepalive 128; keepalive_requests 100000000; keepalive_timeout 3600s; }
                  upstream streams { server 127.0.0.1:%4$d; }
                  server {
                    listen 127.0.0.1:%2$d ssl;
                    ssl_certificate %5$s;
                    ssl_certificate_key %6$s;
                    ssl_protocols TLSv1.3;
                    location / {
                      proxy_pass https://api;
                      proxy_set_header Connection "";
                %7$s%8$s    }
                    location ~ ^/api/v1/namespaces/[^/]+/pods/[^/]+/(exec|attach|portforward)$ {
                      proxy_pass https://streams;
                      proxy_set_header Upgrade $http_upgrade;
                      proxy_set_header Connection "upgrade";
                      proxy_read_timeout 3600s;
                      proxy_send_timeout 3600s;
                %7$s%8$s    }
                  }
                }
                """.formatted(directory, port, apiPort, streamsPort, certificate, privateKey, IDENTITY, upstreamTls);
        Path file = Files.writeString(directory.resolve("nginx.conf"), config);
        Process process = new ProcessBuilder(binary().toString(), "-p", directory.toString(), "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("stdout.log").toFile()).start();
        NginxProcess nginx = new NginxProcess(process, directory, port);
        nginx.awaitListening();
        return nginx;
    }

    int port() {
        return port;
    }

    /** The master's; the workers are its children. */
    long pid() {
        return process.pid();
    }

    Path directory() {
        return directory;
    }

    private void awaitListening() throws Exception {
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
