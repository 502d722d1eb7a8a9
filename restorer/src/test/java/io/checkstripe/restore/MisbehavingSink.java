package io.checkstripe.restore;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Sinks that fail the way real hosts do at failover, for the HTTP source's tests: one that accepts connections
 * and never answers, and a proxy in front of a real sink that answers everything but stops in the middle of a
 * stream of cells. Both are released and closed by {@link #close()}.
 */
final class MisbehavingSink implements AutoCloseable {

    private final CountDownLatch release = new CountDownLatch(1);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "misbehaving-sink");
        t.setDaemon(true);
        return t;
    });

    /** A listener that accepts every connection and never sends a byte; returns its http URL. */
    String silent() throws IOException {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        resources.add(socket);
        threads.submit(() -> {
            List<Socket> accepted = new ArrayList<>();
            try {
                while (!socket.isClosed()) {
                    accepted.add(socket.accept()); // held open, never answered
                }
            } catch (IOException e) {
                // closed by close()
            }
            for (Socket s : accepted) {
                try {
                    s.close();
                } catch (IOException e) {
                    // best effort
                }
            }
            return null;
        });
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    /** A port where nothing listens: connections are refused. */
    static String refusing() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    /**
     * A proxy for the sink at {@code upstream} that forwards every request, except that a stream of cells stops
     * after {@code bytesBeforeStall} bytes and hangs with the connection open.
     */
    String stallingProxy(String upstream, int bytesBeforeStall) throws IOException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            try {
                forward(client, upstream, exchange, bytesBeforeStall);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.start();
        resources.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A sink that answers every request with HTTP 503, as one without an open store does. */
    String unavailable() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            byte[] body = "{\"error\":\"no store open\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        resources.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void forward(HttpClient client, String upstream, HttpExchange exchange, int bytesBeforeStall)
            throws IOException, InterruptedException {
        URI uri = URI.create(upstream + exchange.getRequestURI());
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        boolean stall = exchange.getRequestURI().getPath().endsWith("/cells");
        exchange.sendResponseHeaders(response.statusCode(), 0);
        try (InputStream in = response.body(); OutputStream out = exchange.getResponseBody()) {
            if (!stall) {
                in.transferTo(out);
                return;
            }
            out.write(in.readNBytes(bytesBeforeStall));
            out.flush();
            release.await(); // hang with the connection open until the test ends
        }
    }

    @Override
    public void close() throws Exception {
        release.countDown();
        for (AutoCloseable r : resources) {
            r.close();
        }
        threads.shutdownNow();
    }
}
