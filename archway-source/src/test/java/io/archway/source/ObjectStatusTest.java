package io.archway.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ObjectStatusTest {
    private static ObjectNode json(String s) throws Exception {
        return (ObjectNode) KubeJson.mapper().readTree(s.replace('\'', '"'));
    }

    @Test
    void keepsTheTimeOfAnUnchangedConditionPerParentAndListener() throws Exception {
        ObjectNode previous = json("""
                {'parents': [
                  {'parentRef': {'name': 'gw', 'sectionName': 'a'}, 'controllerName': 'us',
                   'conditions': [{'type': 'Accepted', 'status': 'True', 'lastTransitionTime': 'T0'},
                                  {'type': 'ResolvedRefs', 'status': 'True', 'lastTransitionTime': 'T0'}]},
                  {'parentRef': {'name': 'gw', 'sectionName': 'b'}, 'controllerName': 'us',
                   'conditions': [{'type': 'Accepted', 'status': 'False', 'lastTransitionTime': 'T0'}]}]}""");
        ObjectNode next = json("""
                {'parents': [
                  {'parentRef': {'group': 'gateway.networking.k8s.io', 'kind': 'Gateway', 'name': 'gw', 'sectionName': 'a'},
                   'controllerName': 'us',
                   'conditions': [{'type': 'Accepted', 'status': 'True'}, {'type': 'ResolvedRefs', 'status': 'False'}]},
                  {'parentRef': {'name': 'gw', 'sectionName': 'b'}, 'controllerName': 'them',
                   'conditions': [{'type': 'Accepted', 'status': 'False'}]}]}""");
        ObjectStatus.stampTransitions(next, previous, "T1");
        assertThat(next.at("/parents/0/conditions/0/lastTransitionTime").asText())
                .as("same status; the defaulted group and kind name the same parent").isEqualTo("T0");
        assertThat(next.at("/parents/0/conditions/1/lastTransitionTime").asText()).isEqualTo("T1");
        assertThat(next.at("/parents/1/conditions/0/lastTransitionTime").asText())
                .as("another controller's entry is another entry").isEqualTo("T1");
    }

    @Test
    void listenersAreMatchedByNameAndNoPreviousMeansNow() throws Exception {
        ObjectNode previous = json("""
                {'conditions': [{'type': 'Programmed', 'status': 'True', 'lastTransitionTime': 'T0'}],
                 'listeners': [{'name': 'http', 'conditions': [{'type': 'Programmed', 'status': 'True', 'lastTransitionTime': 'T0'}]}]}""");
        ObjectNode next = json("""
                {'conditions': [{'type': 'Programmed', 'status': 'True'}],
                 'listeners': [{'name': 'https', 'conditions': [{'type': 'Programmed', 'status': 'True'}]}]}""");
        ObjectStatus.stampTransitions(next, previous, "T1");
        assertThat(next.at("/conditions/0/lastTransitionTime").asText()).isEqualTo("T0");
        assertThat(next.at("/listeners/0/conditions/0/lastTransitionTime").asText()).isEqualTo("T1");
        ObjectNode fresh = json("{'conditions': [{'type': 'Accepted', 'status': 'True'}]}");
        ObjectStatus.stampTransitions(fresh, null, "T2");
        assertThat(fresh.at("/conditions/0/lastTransitionTime").asText()).isEqualTo("T2");
    }

    @Test
    void policyAncestorsAreEntriesOfTheirOwn() throws Exception {
        ObjectNode previous = json("""
                {'ancestors': [
                  {'ancestorRef': {'name': 'gw-a', 'namespace': 'ns'}, 'controllerName': 'us',
                   'conditions': [{'type': 'Accepted', 'status': 'True', 'lastTransitionTime': 'T0'}]},
                  {'ancestorRef': {'name': 'gw-b', 'namespace': 'ns'}, 'controllerName': 'us',
                   'conditions': [{'type': 'Accepted', 'status': 'False', 'lastTransitionTime': 'T0'}]}]}""");
        ObjectNode next = json("""
                {'ancestors': [
                  {'ancestorRef': {'name': 'gw-a', 'namespace': 'ns'}, 'controllerName': 'us',
                   'conditions': [{'type': 'Accepted', 'status': 'True'}]},
                  {'ancestorRef': {'name': 'gw-b', 'namespace': 'ns'}, 'controllerName': 'us',
                   'conditions': [{'type': 'Accepted', 'status': 'True'}]}]}""");
        ObjectStatus.stampTransitions(next, previous, "T1");
        assertThat(next.at("/ancestors/0/conditions/0/lastTransitionTime").asText()).isEqualTo("T0");
        assertThat(next.at("/ancestors/1/conditions/0/lastTransitionTime").asText()).isEqualTo("T1");
    }
}
