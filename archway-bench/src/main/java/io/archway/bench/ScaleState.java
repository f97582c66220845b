package io.archway.bench;

import io.archway.source.LoadedFile;
import io.archway.source.SourcedObject;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.ResourceView;
import io.archway.translate.Translator;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The objects of {@link ScaleConfig} parsed as {@code serve} parses them (admission included),
 * held as a list so that a view is built directly; and the translator {@code serve} uses.
 */
public final class ScaleState {
    public static final int HOSTNAMES = 1000;
    public static final int LISTENER_PORT = 18090;
    public static final int BACKEND_PORT = 18080;

    public final ManifestLoader loader = new ManifestLoader();
    public final Translator translator = new Translator(new TranslatorOptions(
            TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.Shared("127.0.0.1"), true));
    public final int routes;
    public final int hostnames;
    /** The base objects, then route i at {@code baseCount + i}. */
    private final List<HasMetadata> objects = new ArrayList<>();
    private final int baseCount;

    public ScaleState(int routes) {
        this.routes = routes;
        this.hostnames = Math.max(1, Math.min(HOSTNAMES, routes));
        objects.addAll(objectsOf(loader.parse("base.yaml", ScaleConfig.base(LISTENER_PORT, BACKEND_PORT))));
        baseCount = objects.size();
        for (int i = 0; i < routes; i++) {
            objects.addAll(objectsOf(parse(i, 0)));
        }
    }

    public LoadedFile parse(int route, int variant) {
        return loader.parse(ScaleConfig.routeFile(route), ScaleConfig.route(route, hostnames, 1, variant));
    }

    /** Replaces route {@code i} by its version with weights {@code variant}. */
    public void edit(int i, int variant) {
        objects.set(baseCount + i, objectsOf(parse(i, variant)).get(0));
    }

    /** Adds route {@code routes} (one more than the state was made with), or removes it when it is there. */
    public void addOrRemove(int variant) {
        if (objects.size() == baseCount + routes) {
            objects.addAll(objectsOf(loader.parse(ScaleConfig.routeFile(routes),
                    ScaleConfig.route(routes, hostnames, 1, variant))));
        } else {
            objects.remove(objects.size() - 1);
        }
    }

    public ResourceView view() {
        return ResourceView.of(objects, Map.of());
    }

    private static List<HasMetadata> objectsOf(LoadedFile f) {
        if (!f.ok() || !f.refusals().isEmpty()) {
            throw new IllegalStateException(f.file() + ": " + f.errors() + f.refusals());
        }
        return f.objects().stream().map(SourcedObject::object).toList();
    }
}
