package io.hps.deploy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * A Jackson mapper that turns Kubernetes YAML into fabric8's typed model and rejects every field
 * the API type does not have. fabric8's classes collect unknown fields in an
 * {@code additionalProperties} map through {@code @JsonAnySetter}; this mapper removes that
 * any-setter, so with {@code FAIL_ON_UNKNOWN_PROPERTIES} a misspelt field is an error naming its path.
 */
final class StrictKubernetesMapper {
    private StrictKubernetesMapper() {
    }

    static ObjectMapper create() {
        SimpleModule noAnySetter = new SimpleModule("no-any-setter");
        noAnySetter.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                                                         BeanDeserializerBuilder builder) {
                if (description.getBeanClass().getName().startsWith("io.fabric8.")) {
                    builder.setAnySetter(null);
                }
                return builder;
            }
        });
        return YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .addModule(noAnySetter)
                .build();
    }
}
