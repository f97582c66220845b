/**
 * Admission parity: standalone mode accepts and refuses exactly what a Kubernetes API server with
 * the Gateway API v1.6.1 CRDs would, and stores the same (pruned, defaulted) objects. Starting points:
 *
 * <ul>
 *   <li>{@link io.archway.admission.Admission}: {@code admit(kind, version, object)} for every kind of
 *       {@code io.archway.kinds.ResourceKind} that has a packaged CRD ({@link io.archway.admission.CrdCatalog},
 *       found by {@code <group>_<plural>.yaml}, so a kind added to the registry needs its CRD file only; read
 *       in its compact form, {@code <group>_<plural>.schemas.json}, generated from the YAML and checked
 *       against it by {@code PackagedSchemasTest}).</li>
 *   <li>The API server's steps for a create, in its order, one class each: {@code Pruning} (unknown
 *       fields, reported as warnings), {@code Defaulting}, {@code SchemaValidation} (OpenAPI v3 value
 *       validation and list-type uniqueness), {@code RuleEvaluation} ({@code x-kubernetes-validations}
 *       with CEL-Java, each rule compiled once, when first evaluated, in {@code CompiledRule};
 *       transition rules skipped as on a create), plus {@code ObjectMetaValidation}.</li>
 *   <li>{@link io.archway.admission.Violation}: field path, error type and detail in the API server's words
 *       (for a CEL rule, the CRD's own message).</li>
 * </ul>
 *
 * <p>Used by the directory source (a refused object keeps its last good version serving), by
 * {@code archway validate} and by the client's directory back end (a refused write writes nothing).
 */
package io.archway.admission;
