package io.archway.admission;

/** Field paths in the API server's spelling: {@code spec.rules[0].filters[1]}, {@code metadata.labels[app]}. */
final class Paths {
    private Paths() {
    }

    static String field(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    static String key(String path, String key) {
        return path + "[" + key + "]";
    }
}
