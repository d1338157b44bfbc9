package io.hps.deploy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;

/**
 * The fields of the Prometheus Operator's {@code monitoring.coreos.com/v1} ServiceMonitor that the
 * manifests use (fabric8 8 ships no monitoring model); read strictly, so any other field fails.
 */
record ServiceMonitor(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {
    static final String API_VERSION = "monitoring.coreos.com/v1";

    record Spec(LabelSelector selector, NamespaceSelector namespaceSelector, List<Endpoint> endpoints,
                String jobLabel) {
    }

    record NamespaceSelector(Boolean any, List<String> matchNames) {
    }

    /** {@code port} names a port of the selected Service. */
    record Endpoint(String port, String path, String interval, String scrapeTimeout, String scheme) {
    }

    String name() {
        return metadata.getName();
    }
}
