package io.checkstripe.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free TCP ports on the loopback address, where every testkit server listens. */
public final class LocalPorts {

    public static final String HOST = "127.0.0.1";

    private LocalPorts() {
    }

    /**
     * {@code count} distinct ports free on 127.0.0.1 right now. All sockets stay bound until
     * every port is chosen, so the ports differ; another process may still take one before the
     * server binds it, a race tests accept.
     */
    public static List<Integer> free(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                ports.add(socket.getLocalPort());
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports on " + HOST, e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // a probe socket; nothing depends on closing it cleanly
                }
            }
        }
    }
}
