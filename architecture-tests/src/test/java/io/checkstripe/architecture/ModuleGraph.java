package io.checkstripe.architecture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The module graph as the build and the documentation state it: the modules of the root pom, each
 * module's direct main-scope dependencies on other checkstripe modules (compile or runtime; test scope and
 * test jars do not count), the Java package each module owns, and the edges of the dependency diagram in
 * {@code docs/ARCHITECTURE.md}. Immutable.
 *
 * @param root    the repository root
 * @param modules module directory name to its direct main-scope checkstripe dependencies
 */
record ModuleGraph(Path root, Map<String, Set<String>> modules) {

    /** Modules that hold no main code (tests, or the packaging of others), so they are not in the diagram. */
    static final Set<String> TEST_ONLY = Set.of("fault-tests", "architecture-tests", "distribution");

    /**
     * The root package of each module that ships code. A class belongs to the module whose package is the
     * longest prefix of its own.
     */
    static final Map<String, String> ROOT_PACKAGES = Map.ofEntries(
            Map.entry("core", "io.checkstripe.core"),
            Map.entry("metrics", "io.checkstripe.metrics"),
            Map.entry("codec", "io.checkstripe.codec"),
            Map.entry("crypto", "io.checkstripe.crypto"),
            Map.entry("archive", "io.checkstripe.archive"),
            Map.entry("chunking", "io.checkstripe.chunking"),
            Map.entry("schemas", "io.checkstripe.schemas"),
            Map.entry("store", "io.checkstripe.store"),
            Map.entry("striping", "io.checkstripe.striping"),
            Map.entry("broker", "io.checkstripe.broker"),
            Map.entry("testkit", "io.checkstripe.testkit"),
            Map.entry("producer", "io.checkstripe.producer"),
            Map.entry("striper-stream", "io.checkstripe.striper"),
            Map.entry("backup-sink", "io.checkstripe.sink"),
            Map.entry("restorer", "io.checkstripe.restore"),
            Map.entry("healer", "io.checkstripe.heal"),
            Map.entry("pipeline", "io.checkstripe.pipeline"),
            Map.entry("e2e-bench", "io.checkstripe.e2e"),
            Map.entry("bench", "io.checkstripe.bench"),
            Map.entry("cli", "io.checkstripe.cli"));

    private static final String GROUP = "io.checkstripe";
    private static final String ARTIFACT_PREFIX = "checkstripe-";
    private static final Pattern EDGE = Pattern.compile("^\\s*([a-z0-9-]+)\\s*-->\\s*([a-z0-9-]+)\\s*$");

    /** Reads the root pom and every module's pom under {@code root}. */
    static ModuleGraph read(Path root) {
        Map<String, Set<String>> modules = new LinkedHashMap<>();
        for (String module : childTexts(parse(root.resolve("pom.xml")).getDocumentElement(), "modules", "module")) {
            modules.put(module, mainDependencies(root.resolve(module).resolve("pom.xml")));
        }
        return new ModuleGraph(root, Map.copyOf(modules));
    }

    /** The repository root the build passes in {@code checkstripe.root}, or the parent of this module. */
    static Path rootFromBuild() {
        String configured = System.getProperty("checkstripe.root");
        Path root = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath().getParent();
        return root.toAbsolutePath().normalize();
    }

    /** Modules that ship code: every module but the test-only ones. */
    Set<String> shipped() {
        Set<String> shipped = new TreeSet<>(modules.keySet());
        shipped.removeAll(TEST_ONLY);
        return shipped;
    }

    /** Edges {@code "from --> to"} of the main-scope dependencies between shipped modules. */
    Set<String> pomEdges() {
        Set<String> edges = new TreeSet<>();
        for (String from : shipped()) {
            for (String to : modules.get(from)) {
                edges.add(from + " --> " + to);
            }
        }
        return edges;
    }

    /** Edges {@code "from --> to"} of the mermaid diagram in {@code docs/ARCHITECTURE.md}. */
    Set<String> documentedEdges() throws IOException {
        Set<String> edges = new TreeSet<>();
        boolean inDiagram = false;
        for (String line : Files.readAllLines(root.resolve("docs/ARCHITECTURE.md"), StandardCharsets.UTF_8)) {
            if (line.strip().equals("```mermaid")) {
                inDiagram = true;
            } else if (inDiagram && line.strip().equals("```")) {
                inDiagram = false;
            } else if (inDiagram) {
                Matcher m = EDGE.matcher(line);
                if (m.matches()) {
                    edges.add(m.group(1) + " --> " + m.group(2));
                }
            }
        }
        return edges;
    }

    /** The module owning {@code packageName}, by the longest root-package prefix. */
    static Optional<String> moduleOf(String packageName) {
        String best = null;
        for (Map.Entry<String, String> e : ROOT_PACKAGES.entrySet()) {
            String root = e.getValue();
            if ((packageName.equals(root) || packageName.startsWith(root + "."))
                    && (best == null || root.length() > ROOT_PACKAGES.get(best).length())) {
                best = e.getKey();
            }
        }
        return Optional.ofNullable(best);
    }

    private static Set<String> mainDependencies(Path pom) {
        Set<String> deps = new TreeSet<>();
        Element project = parse(pom).getDocumentElement();
        for (Element dependency : children(child(project, "dependencies"), "dependency")) {
            String group = text(dependency, "groupId");
            String artifact = text(dependency, "artifactId");
            String scope = text(dependency, "scope");
            String type = text(dependency, "type");
            boolean main = scope == null || scope.equals("compile") || scope.equals("runtime");
            if (GROUP.equals(group) && artifact != null && artifact.startsWith(ARTIFACT_PREFIX) && main
                    && !"test-jar".equals(type)) {
                deps.add(artifact.substring(ARTIFACT_PREFIX.length()));
            }
        }
        return deps;
    }

    private static Document parse(Path xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(xml.toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + xml + ": " + e.getMessage(), e);
        }
    }

    private static List<String> childTexts(Element parent, String container, String name) {
        List<String> texts = new ArrayList<>();
        for (Element e : children(child(parent, container), name)) {
            texts.add(e.getTextContent().strip());
        }
        return texts;
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().strip();
    }
}
