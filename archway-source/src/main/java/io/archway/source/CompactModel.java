package io.archway.source;

import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Trims what a fabric8 model object holds for nothing once the store keeps it: every model object
 * (an HTTPRoute, its metadata, spec, each rule, match, filter, backend reference...) is created with
 * its own empty {@code additionalProperties} LinkedHashMap (64 bytes), and Jackson reads each list
 * into an ArrayList of capacity 10. At 10,000 routes that was 14 maps and about 300 bytes of unused
 * list slots per route, a fifth of the heap per route (docs/PERFORMANCE.md, memory, session 7).
 *
 * <p>An empty map is replaced by one shared immutable empty map through the model's own setter: the
 * store's objects are never changed after they are stored (readers copy them through JSON), and an
 * empty map reads, serialises and compares as the one it replaces. Non-empty maps (fields the model
 * does not know, labels, annotations) are left as they are.
 */
final class CompactModel {
    private static final Map<String, Object> EMPTY = Map.of();

    /** Per model class: its public getters that may lead to further model objects, and its map setter. */
    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            return Shape.of(type);
        }
    };

    private CompactModel() {
    }

    /** Compacts {@code object} and every model object reachable from it, in place. */
    static void compact(Object object) {
        if (object instanceof KubernetesResource) {
            SHAPES.get(object.getClass()).compact(object);
        } else if (object instanceof Collection<?> c) {
            if (c instanceof ArrayList<?> list) {
                list.trimToSize();
            }
            for (Object e : c) {
                compact(e);
            }
        } else if (object instanceof Map<?, ?> m) {
            for (Object v : m.values()) {
                compact(v);
            }
        }
    }

    private record Shape(List<Method> children, Method additionalProperties, Method setAdditionalProperties) {
        static Shape of(Class<?> type) {
            List<Method> children = new ArrayList<>();
            Method get = null;
            Method set = null;
            for (Method m : type.getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                    continue;
                }
                if (m.getName().equals("setAdditionalProperties") && m.getParameterCount() == 1
                        && m.getParameterTypes()[0] == Map.class) {
                    set = m;
                } else if (m.getParameterCount() == 0 && m.getName().startsWith("get")) {
                    Class<?> r = m.getReturnType();
                    if (m.getName().equals("getAdditionalProperties") && r == Map.class) {
                        get = m;
                    } else if (KubernetesResource.class.isAssignableFrom(r) || Collection.class.isAssignableFrom(r)
                            || Map.class.isAssignableFrom(r)) {
                        children.add(m);
                    }
                }
            }
            return new Shape(List.copyOf(children), get, get == null ? null : set);
        }

        void compact(Object object) {
            try {
                if (setAdditionalProperties != null) {
                    Object extra = additionalProperties.invoke(object);
                    if (extra instanceof Map<?, ?> m && m.isEmpty() && m != EMPTY) {
                        setAdditionalProperties.invoke(object, EMPTY);
                    } else {
                        CompactModel.compact(extra);
                    }
                }
                for (Method child : children) {
                    CompactModel.compact(child.invoke(object));
                }
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + object.getClass().getName(), e);
            }
        }
    }
}
