package ma.justicia.searchnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch node for Justicia's local stack and integration tests.
 *
 * <p>No distribution archive is needed: the server and the three modules it
 * needs (Netty transport and HTTP, common analysis with the Arabic and French
 * filters, Painless) are on the classpath, and are handed to the node as
 * classpath plugins. The node listens on 127.0.0.1 only, with no security
 * plugin, and keeps its data under the home directory it is given.
 *
 * <p>Usage: {@code SearchNode <home dir> <http port> <transport port>}.
 * It stops cleanly on SIGTERM or SIGINT, and when its standard input ends.
 */
public final class SearchNode {

    private static final List<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class);

    private SearchNode() {
    }

    /** A node started with the modules of {@link #MODULES} as plugins. */
    private static final class LocalNode extends Node {
        LocalNode(Environment environment) {
            super(environment, MODULES, true);
        }
    }

    /**
     * Start the node and block until the JVM is asked to stop.
     *
     * @param args home directory, HTTP port and transport port
     * @throws Exception when the node cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: SearchNode <home dir> <http port> <transport port>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Settings settings = nodeSettings(home, args[1], args[2]);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), home.resolve("config"),
            () -> "justicia-search");
        Node node = new LocalNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception exc) {
                System.err.println("search node did not close cleanly: " + exc);
            } finally {
                stopped.countDown();
            }
        }, "search-node-shutdown"));
        node.start();
        System.out.println("search node started on 127.0.0.1:" + args[1]);
        exitWithParent();
        stopped.await();
    }

    /**
     * Exit (closing the node) when standard input ends: the Python process
     * that started the node holds it open, so the node never outlives it, even
     * when that process is killed without a chance to stop it.
     */
    private static void exitWithParent() {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // the parent writes nothing; only the end matters
                }
            } catch (java.io.IOException exc) {
                // a broken pipe means the parent is gone as well
            }
            System.exit(0);
        }, "search-node-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static Settings nodeSettings(Path home, String httpPort, String transportPort) {
        return Settings.builder()
            .put("cluster.name", "justicia-local")
            .put("node.name", "justicia-search")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", transportPort)
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .put("discovery.type", "single-node")
            .put("action.auto_create_index", false)
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
    }
}
