package io.hps.deploy;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the NetworkPolicies of one namespace let a TCP connection from one pod reach a container port of another
 * pod of the same namespace: the policies selecting the client must allow it as egress (or none restricts egress),
 * those selecting the server as ingress. Peers by pod selector (and namespace selector on the namespace's name) only.
 */
final class NetworkPolicies {
    private static final String EGRESS = "Egress";
    private static final String INGRESS = "Ingress";

    private final List<NetworkPolicy> policies;
    private final Map<String, String> namespaceLabels;

    NetworkPolicies(List<NetworkPolicy> policies, String namespace) {
        this.policies = List.copyOf(policies);
        this.namespaceLabels = Map.of("kubernetes.io/metadata.name", namespace);
    }

    boolean allowsEgress(Map<String, String> client, Map<String, String> server, ContainerPort port) {
        return allows(EGRESS, client, server, port);
    }

    boolean allowsIngress(Map<String, String> client, Map<String, String> server, ContainerPort port) {
        return allows(INGRESS, server, client, port);
    }

    private boolean allows(String type, Map<String, String> pod, Map<String, String> peer, ContainerPort port) {
        List<NetworkPolicy> applying = policies.stream()
                .filter(p -> matches(p.getSpec().getPodSelector(), pod) && types(p).contains(type)).toList();
        return applying.isEmpty() || applying.stream().anyMatch(p -> type.equals(EGRESS)
                ? list(p.getSpec().getEgress()).stream().anyMatch(r -> peers(r.getTo(), peer) && ports(r.getPorts(), port))
                : list(p.getSpec().getIngress()).stream().anyMatch(r -> peers(r.getFrom(), peer) && ports(r.getPorts(), port)));
    }

    private static List<String> types(NetworkPolicy p) {
        if (p.getSpec().getPolicyTypes() != null && !p.getSpec().getPolicyTypes().isEmpty()) {
            return p.getSpec().getPolicyTypes();
        }
        return list(p.getSpec().getEgress()).isEmpty() ? List.of(INGRESS) : List.of(INGRESS, EGRESS);
    }

    private boolean peers(List<NetworkPolicyPeer> peers, Map<String, String> labels) {
        return list(peers).isEmpty() || peers.stream().anyMatch(p -> p.getIpBlock() == null && p.getPodSelector() != null
                && (p.getNamespaceSelector() == null || matches(p.getNamespaceSelector(), namespaceLabels))
                && matches(p.getPodSelector(), labels));
    }

    private static boolean ports(List<NetworkPolicyPort> ports, ContainerPort port) {
        return list(ports).isEmpty() || ports.stream().anyMatch(p -> {
            if (p.getProtocol() != null && !p.getProtocol().equals("TCP")) {
                return false;
            }
            if (p.getPort() == null) {
                return true;
            }
            if (p.getPort().getStrVal() != null) {
                return p.getPort().getStrVal().equals(port.getName());
            }
            int from = p.getPort().getIntVal();
            int to = Optional.ofNullable(p.getEndPort()).orElse(from);
            return port.getContainerPort() >= from && port.getContainerPort() <= to;
        });
    }

    /** Whether {@code selector} selects {@code labels}; an empty selector selects everything. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> matchLabels = Optional.ofNullable(selector.getMatchLabels()).orElse(Map.of());
        return labels.entrySet().containsAll(matchLabels.entrySet())
                && list(selector.getMatchExpressions()).stream().allMatch(e -> matches(e, labels));
    }

    private static boolean matches(LabelSelectorRequirement e, Map<String, String> labels) {
        String value = labels.get(e.getKey());
        return switch (e.getOperator()) {
            case "In" -> value != null && e.getValues().contains(value);
            case "NotIn" -> value == null || !e.getValues().contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> throw new IllegalArgumentException("unknown selector operator: " + e.getOperator());
        };
    }

    private static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }
}
