package io.hps.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.model.CriteoTables;
import io.hps.model.DlrmArchitecture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class ModelConfigCodecTest {

    private static final Path DIR = Path.of("/models/dlrm");

    private static final String CRITEO_LIKE = """
            {"format_version": 1, "name": "dlrm", "dense_features": 13, "bottom_mlp": [512, 256, 128],
             "top_mlp": [1024, 1024, 512, 256, 1], "interaction": "dot",
             "tables": [{"name": "t0", "rows": 7913, "dim": 128, "sparse_file": "sparse/t0"},
                        {"name": "t1", "rows": 34, "dim": 128, "sparse_file": "sparse/t1"},
                        {"name": "t2", "rows": 17, "dim": 128, "sparse_file": "sparse/t2"},
                        {"name": "t3", "rows": 7, "dim": 128, "sparse_file": "sparse/t3"}],
             "dense_weights": "dense.safetensors", "hps_config": "ps.json", "max_batch_size": 16384,
             "generator": {"scale": 0.001, "seed": 42}}""";

    @Test
    void shouldReadArchitectureAndResolvePaths() {
        ModelConfigFile file = ModelConfigCodec.parse(CRITEO_LIKE, DIR);
        ModelConfig c = file.config();

        DlrmArchitecture arch = c.architecture();
        assertThat(arch.denseFeatures()).isEqualTo(13);
        assertThat(arch.bottomMlp()).containsExactly(512, 256, 128);
        assertThat(arch.topMlp()).containsExactly(1024, 1024, 512, 256, 1);
        assertThat(arch.tableCount()).isEqualTo(4);
        assertThat(arch.tables().getFirst().rows()).isEqualTo(7913);
        assertThat(arch.interactionPairs()).isEqualTo(10);
        assertThat(c.maxBatchSize()).isEqualTo(16384);
        assertThat(c.generator()).contains(new ModelConfig.Generator(0.001, 42));
        assertThat(file.sparseFiles()).containsExactly(DIR.resolve("sparse/t0"), DIR.resolve("sparse/t1"),
                DIR.resolve("sparse/t2"), DIR.resolve("sparse/t3"));
        assertThat(file.denseWeights()).isEqualTo(DIR.resolve("dense.safetensors"));
        assertThat(file.hpsConfig()).isEqualTo(DIR.resolve("ps.json"));
        assertThat(file.issues()).isEmpty();
    }

    @Test
    void shouldRoundTripThroughAFile(@TempDir Path dir) {
        ModelConfig original = ModelConfigCodec.parse(CRITEO_LIKE, DIR).config();
        Path file = dir.resolve("model.json");

        ModelConfigCodec.write(original, file);
        ModelConfigFile read = ModelConfigCodec.read(file);

        assertThat(read.config()).isEqualTo(original);
        assertThat(read.directory()).isEqualTo(dir.toAbsolutePath());
        assertThat(read.issues()).isEmpty();
    }

    @Test
    void shouldRoundTripWithoutGeneratorAndWithDefaults() {
        ModelConfig original = new ModelConfig(1, "m", 2, List.of(4), List.of(3, 1), "dot",
                List.of(new ModelConfig.Table("a", 5_554_114L, 4, "tables/a")), "w.safetensors", "hps/ps.json", 8,
                Optional.empty());

        String json = ModelConfigCodec.toJson(original);

        assertThat(json).doesNotContain("generator");
        assertThat(ModelConfigCodec.parse(json, DIR).config()).isEqualTo(original);
        ObjectNode trimmed = (ObjectNode) JsonFields.MAPPER.readTree(json);
        trimmed.remove(List.of("interaction", "hps_config"));
        assertThat(ModelConfigCodec.parse(trimmed.toString(), DIR).config().hpsConfig()).isEqualTo("ps.json");
    }

    @Test
    void shouldBuildFromArchitectureAndGiveItBack() {
        DlrmArchitecture arch = DlrmArchitecture.criteo(CriteoTables.fl15(0.001, 128));

        ModelConfig config = ModelConfig.of("dlrm", arch, "sparse", "dense.safetensors", "ps.json", 16384,
                Optional.of(new ModelConfig.Generator(0.001, 42)));

        assertThat(config.architecture()).isEqualTo(arch);
        assertThat(config.tables().get(3).sparseFile()).isEqualTo("sparse/t3");
        assertThat(ModelConfigCodec.parse(ModelConfigCodec.toJson(config), DIR).config()).isEqualTo(config);
    }

    @Test
    void shouldReportUnknownFieldsAsWarnings() {
        String json = CRITEO_LIKE.replace("\"format_version\": 1,", "\"format_version\": 1, \"comment\": \"x\",")
                .replace("\"name\": \"t2\",", "\"name\": \"t2\", \"hotness\": 1,")
                .replace("\"seed\": 42", "\"seed\": 42, \"zipf\": 1.1");

        ModelConfigFile file = ModelConfigCodec.parse(json, DIR);

        assertThat(file.issues()).extracting(ConfigIssue::path)
                .containsExactlyInAnyOrder("comment", "tables[2].hotness", "generator.zipf");
        assertThat(file.issues()).allSatisfy(i -> {
            assertThat(i.kind()).isEqualTo(ConfigIssue.Kind.UNKNOWN_FIELD);
            assertThat(i.source()).isEqualTo("model.json");
        });
        assertThat(file.issues()).extracting(ConfigIssue::toString)
                .contains("model.json: tables[2].hotness: unknown field, ignored");
    }

    static Stream<Arguments> invalidFields() {
        return Stream.of(
                Arguments.of("format_version", "2", "model.json: format_version must be 1: format_version=2"),
                Arguments.of("name", "\" \"", "model.json: name must not be blank: name= "),
                Arguments.of("dense_features", "0", "model.json: dense_features must be >= 1: dense_features=0"),
                Arguments.of("bottom_mlp", "[]", "model.json: bottom_mlp must not be empty: bottom_mlp=[]"),
                Arguments.of("bottom_mlp", "[512, 0, 128]", "model.json: bottom_mlp[1] must be >= 1: bottom_mlp[1]=0"),
                Arguments.of("top_mlp", "[]", "model.json: top_mlp must not be empty: top_mlp=[]"),
                Arguments.of("top_mlp", "[1024, 2]", "model.json: top_mlp must end with width 1: top_mlp=[1024, 2]"),
                Arguments.of("interaction", "\"cat\"", "model.json: interaction must be \"dot\": interaction=cat"),
                Arguments.of("tables", "[]", "model.json: tables must not be empty: tables=[]"),
                Arguments.of("dense_weights", "\"\"", "model.json: dense_weights must not be blank: dense_weights="),
                Arguments.of("hps_config", "\"\"", "model.json: hps_config must not be blank: hps_config="),
                Arguments.of("max_batch_size", "0", "model.json: max_batch_size must be >= 1: max_batch_size=0"),
                Arguments.of("max_batch_size", "\"16384\"",
                        "model.json: max_batch_size must be an integer: max_batch_size=\"16384\""),
                Arguments.of("max_batch_size", "4294967296",
                        "model.json: max_batch_size must fit in 32 bits: max_batch_size=4294967296"),
                Arguments.of("generator", "{\"scale\": 0, \"seed\": 1}",
                        "model.json: generator.scale must be in (0, 1]: scale=0.0"),
                Arguments.of("generator", "{\"scale\": 0.5}", "model.json: generator.seed is required"),
                Arguments.of("generator", "[]", "model.json: generator must be an object: generator=[]"),
                Arguments.of("tables", "[{\"name\": \"t0\", \"rows\": 10, \"dim\": 64, \"sparse_file\": \"s\"}]",
                        "model.json: tables[0].dim must equal bottom_mlp output 128: dim=64"),
                Arguments.of("tables", "[{\"name\": \"t0\", \"rows\": 0, \"dim\": 128, \"sparse_file\": \"s\"}]",
                        "model.json: tables[0].rows must be >= 1: rows=0"),
                Arguments.of("tables", "[{\"name\": \"t0\", \"rows\": 3, \"dim\": 128}]",
                        "model.json: tables[0].sparse_file is required"),
                Arguments.of("tables", "[{\"name\": \"\", \"rows\": 3, \"dim\": 128, \"sparse_file\": \"s\"}]",
                        "model.json: tables[0].name must not be blank: name="),
                Arguments.of("tables", "[{\"name\": \"a\", \"rows\": 3, \"dim\": 128, \"sparse_file\": \"s\"},"
                        + " {\"name\": \"a\", \"rows\": 3, \"dim\": 128, \"sparse_file\": \"t\"}]",
                        "model.json: tables[1].name must be unique: name=a"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("invalidFields")
    void shouldRejectInvalidField(String field, String json, String message) {
        ObjectNode root = (ObjectNode) JsonFields.MAPPER.readTree(CRITEO_LIKE);
        root.set(field, JsonFields.MAPPER.readTree(json));

        assertThatThrownBy(() -> ModelConfigCodec.parse(root.toString(), DIR))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @Test
    void shouldNameFieldAndValueOfWrongTableDimension() {
        String json = CRITEO_LIKE.replace("{\"name\": \"t3\", \"rows\": 7, \"dim\": 128",
                "{\"name\": \"t3\", \"rows\": 7, \"dim\": 64");

        assertThatThrownBy(() -> ModelConfigCodec.parse(json, DIR))
                .isInstanceOf(ConfigException.class)
                .hasMessage("model.json: tables[3].dim must equal bottom_mlp output 128: dim=64")
                .satisfies(e -> assertThat(((ConfigException) e).path()).isEqualTo("tables[3].dim"));
    }

    @Test
    void shouldRequireEveryMandatoryField() {
        for (String field : List.of("format_version", "name", "dense_features", "bottom_mlp", "top_mlp", "tables",
                "dense_weights", "max_batch_size")) {
            ObjectNode root = (ObjectNode) JsonFields.MAPPER.readTree(CRITEO_LIKE);
            root.remove(field);

            assertThatThrownBy(() -> ModelConfigCodec.parse(root.toString(), DIR))
                    .hasMessage("model.json: " + field + " is required");
        }
    }

    @Test
    void shouldNameTheFileWhenReadingFromDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.json");
        Files.writeString(file, "{\"format_version\": 1,");

        assertThatThrownBy(() -> ModelConfigCodec.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("model.json is not valid JSON: ");
    }
}
