package io.hps.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.model.workload.Batch;
import io.hps.store.TestModel;
import io.hps.testing.NettyLeaks;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway over real HTTP on loopback, in front of a real hps-service and a reference scoring
 * server over real RSocket connections, with Netty leak detection at paranoid.
 */
class GatewayTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path root;
    static GatewayFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new GatewayFixture(root);
    }

    @AfterAll
    static void stop() {
        fixture.close();
        assertThat(NettyLeaks.collect()).as("Netty buffer leaks").isEmpty();
    }

    @AfterEach
    void serverStillAnswersAGoodRequest() throws Exception {
        fixture.scoring.releaseHeld();
        Batch batch = fixture.batch(99, 3);
        HttpResponse<String> response = fixture.postJson("dlrm_ensemble", Requests.dlrm(batch, true, ""));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(scores(response.body())).containsExactly(expected(batch));
    }

    private static float[] expected(Batch batch) {
        return fixture.scoring.scores(batch.batchSize(), batch.dense(), batch.keys());
    }

    private static float[] scores(String body) {
        JsonNode output = JSON.readTree(body).get("outputs").get(0);
        assertThat(output.get("name").asString()).isEqualTo("output");
        assertThat(output.get("datatype").asString()).isEqualTo("FP32");
        JsonNode data = output.get("data");
        float[] scores = new float[data.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = data.get(i).floatValue();
        }
        return scores;
    }

    @Test
    void shouldAnswerServerAndModelMetadataAndHealth() throws Exception {
        JsonNode server = JSON.readTree(fixture.get("/v2").body());
        assertThat(server.get("extensions").toString()).contains("binary_tensor_data", "statistics");
        assertThat(fixture.get("/v2/health/live").statusCode()).isEqualTo(200);
        assertThat(fixture.get("/v2/health/ready").statusCode()).isEqualTo(200);
        assertThat(fixture.get("/v2/models/dlrm_ensemble/ready").statusCode()).isEqualTo(200);
        assertThat(fixture.get("/v2/models/nope/ready").statusCode()).isEqualTo(404);
        JsonNode metadata = JSON.readTree(fixture.get("/v2/models/dlrm_ensemble").body());
        assertThat(metadata.get("name").asString()).isEqualTo("dlrm_ensemble");
        assertThat(metadata.get("inputs").toString())
                .contains("\"name\":\"dense\"", "\"datatype\":\"FP32\"", "[-1,13]", "[-1,26]", "INT64");
        assertThat(metadata.get("outputs").toString()).contains("\"name\":\"output\"", "[-1,1]");
        JsonNode embedding = JSON.readTree(fixture.get("/v2/models/embedding/versions/1").body());
        assertThat(embedding.get("inputs").toString()).contains("KEYS", "NUMKEYS", "INT32");
        assertThat(fixture.get("/v2/models/embedding/versions/7").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldScoreNestedAndFlatJsonAsTheReferenceDoes() throws Exception {
        Batch batch = fixture.batch(1, 17);
        for (boolean nested : new boolean[] {true, false}) {
            HttpResponse<String> response = fixture.postJson("dlrm_ensemble", Requests.dlrm(batch, nested, ""));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("model_name").asString()).isEqualTo("dlrm_ensemble");
            assertThat(body.get("id").asString()).isEqualTo("r1");
            assertThat(body.get("outputs").get(0).get("shape").toString()).isEqualTo("[17,1]");
            assertThat(scores(response.body())).containsExactly(expected(batch));
        }
    }

    @Test
    void shouldReadDataThatComesBeforeItsDatatype() throws Exception {
        Batch batch = fixture.batch(2, 2);
        String json = Requests.dlrm(batch, true, "")
                .replace("{\"name\": \"dense\", \"datatype\": \"FP32\", \"shape\": [2, 13], \"data\":",
                        "{\"name\": \"dense\", \"shape\": [2, 13], \"data\":")
                .replace("]]},", "]], \"datatype\": \"FP32\"},");
        assertThat(json).contains("\"datatype\": \"FP32\"},");
        HttpResponse<String> response = fixture.postJson("dlrm_ensemble", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(scores(response.body())).containsExactly(expected(batch));
    }

    @Test
    void shouldScoreBinaryTensorsAndAnswerBinaryOutput() throws Exception {
        Batch batch = fixture.batch(3, 9);
        Requests.Binary request = Requests.dlrmBinary(batch, true);
        HttpResponse<byte[]> response = fixture.postBinary("dlrm_ensemble", request.body(),
                Integer.toString(request.headerLength()));
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        int headerLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length")
                .orElseThrow());
        JsonNode header = JSON.readTree(new String(response.body(), 0, headerLength, StandardCharsets.UTF_8));
        JsonNode output = header.get("outputs").get(0);
        assertThat(output.get("parameters").get("binary_data_size").asInt()).isEqualTo(4 * 9);
        assertThat(output.has("data")).isFalse();
        ByteBuffer scores = ByteBuffer.wrap(response.body(), headerLength, response.body().length - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] actual = new float[9];
        for (int i = 0; i < 9; i++) {
            actual[i] = scores.getFloat();
        }
        assertThat(actual).containsExactly(expected(batch));

        Requests.Binary jsonOut = Requests.dlrmBinary(batch, false);
        HttpResponse<byte[]> json = fixture.postBinary("dlrm_ensemble", jsonOut.body(),
                Integer.toString(jsonOut.headerLength()));
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.headers().firstValue("Inference-Header-Content-Length")).isEmpty();
        assertThat(scores(new String(json.body(), StandardCharsets.UTF_8))).containsExactly(expected(batch));
    }

    @Test
    void shouldMergeConcurrentRequestsIntoOnePreferredBatch() throws Exception {
        List<Batch> batches = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Batch batch = fixture.batch(100 + i, 8);
            batches.add(batch);
            responses.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return fixture.postJson("dlrm_batched", Requests.dlrm(batch, false, ""));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> response = responses.get(i).get(30, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(scores(response.body())).containsExactly(expected(batches.get(i)));
        }
        JsonNode stats = JSON.readTree(fixture.get("/v2/models/dlrm_batched/stats").body()).get("model_stats").get(0);
        assertThat(stats.get("execution_count").asLong()).isEqualTo(1);
        assertThat(stats.get("inference_count").asLong()).isEqualTo(64);
        assertThat(stats.get("batch_stats").get(0).get("batch_size").asInt()).isEqualTo(64);
        assertThat(stats.get("inference_stats").get("success").get("count").asLong()).isEqualTo(8);
        assertThat(stats.get("inference_stats").get("queue").get("count").asLong()).isEqualTo(8);
    }

    @Test
    void shouldLookUpEmbeddingsLikeTritonsHpsBackend() throws Exception {
        int tables = fixture.model.tables().size();
        StringBuilder keys = new StringBuilder();
        StringBuilder counts = new StringBuilder();
        List<long[]> expectedKeys = new ArrayList<>();
        for (int t = 0; t < tables; t++) {
            int count = t % 3;
            counts.append(t == 0 ? "" : ",").append(count);
            for (int k = 0; k < count; k++) {
                long key = (t * 31L + k * 7L) % fixture.model.tables().get(t).rows();
                keys.append(keys.isEmpty() ? "" : ",").append(key);
                expectedKeys.add(new long[] {t, key});
            }
        }
        String json = """
                {"inputs": [{"name": "KEYS", "datatype": "INT64", "shape": [1, %d], "data": [[%s]]},
                 {"name": "NUMKEYS", "datatype": "INT32", "shape": [1, %d], "data": [[%s]]}]}
                """.formatted(expectedKeys.size(), keys, tables, counts);
        HttpResponse<String> response = fixture.postJson("embedding", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode output = JSON.readTree(response.body()).get("outputs").get(0);
        assertThat(output.get("name").asString()).isEqualTo("OUTPUT0");
        int dim = fixture.model.tables().getFirst().dimension();
        assertThat(output.get("shape").toString()).isEqualTo("[1," + expectedKeys.size() * dim + "]");
        JsonNode data = output.get("data");
        for (int i = 0; i < expectedKeys.size(); i++) {
            float[] vector = fixture.model.vector((int) expectedKeys.get(i)[0], expectedKeys.get(i)[1]);
            for (int e = 0; e < dim; e++) {
                assertThat(data.get(i * dim + e).floatValue()).isEqualTo(vector[e]);
            }
        }
    }

    @Test
    void shouldRejectOutOfRangeKeysUnderRejectPolicyAndServeDefaultsUnderDefaultPolicy() throws Exception {
        Batch batch = fixture.batch(4, 4);
        long[] keys = batch.keys().clone();
        keys[2 * 26 + 5] = 1L << 40;
        Batch bad = new Batch(4, batch.dense(), keys);
        HttpResponse<String> rejected = fixture.postJson("dlrm_ensemble", Requests.dlrm(bad, true, ""));
        assertThat(rejected.statusCode()).isEqualTo(400);
        assertThat(error(rejected)).contains("categorical", "sample 2", "table 5", "1099511627776");
        assertThat(fixture.postJson("dlrm_default_keys", Requests.dlrm(bad, true, "")).statusCode()).isEqualTo(200);

        int tables = fixture.model.tables().size();
        String counts = "1" + ",0".repeat(tables - 1);
        String json = """
                {"inputs": [{"name": "KEYS", "datatype": "INT64", "shape": [1], "data": [-3]},
                 {"name": "NUMKEYS", "datatype": "INT32", "shape": [%d], "data": [%s]}]}
                """.formatted(tables, counts);
        HttpResponse<String> embedding = fixture.postJson("embedding", json);
        assertThat(embedding.statusCode()).isEqualTo(400);
        assertThat(error(embedding)).contains("KEYS", "key 0", "table 0", "-3");
        HttpResponse<String> defaults = fixture.postJson("embedding_default_keys", json);
        assertThat(defaults.statusCode()).as(defaults.body()).isEqualTo(200);
        assertThat(JSON.readTree(defaults.body()).get("outputs").get(0).get("data").get(0).floatValue())
                .isEqualTo(TestModel.defaultValue(0));
    }

    @Test
    void shouldAnswerUnknownModelWith404() throws Exception {
        HttpResponse<String> response = fixture.postJson("nope", Requests.dlrm(fixture.batch(5, 1), true, ""));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(error(response)).contains("nope");
    }

    @Test
    void shouldMapBackendErrorFramesToHttp() throws Exception {
        HttpResponse<String> response = fixture.postJson("dlrm_unknown_backend",
                Requests.dlrm(fixture.batch(5, 1), true, ""));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(error(response)).contains("UNKNOWN_MODEL", "not_served");
    }

    @Test
    void shouldRejectMalformedJsonRequestsNamingTheProblem() throws Exception {
        String good = Requests.dlrm(fixture.batch(6, 2), true, "");
        String dense = "{\"name\": \"dense\", \"datatype\": \"FP32\", \"shape\": [2, 13], \"data\":";
        assertBad(good.replace(dense, "{\"name\": \"extra\", \"datatype\": \"FP32\", \"shape\": [2, 13], \"data\":"),
                "unexpected input extra");
        assertBad(good.replace("\"categorical\"", "\"dense\""), "input dense given twice");
        String categoricalOnly = good.substring(good.indexOf("{\"name\": \"categorical\""), good.lastIndexOf('}'));
        assertBad("{\"inputs\": [" + categoricalOnly + "}", "missing input dense");
        assertBad(good.replace("\"datatype\": \"FP32\"", "\"datatype\": \"INT32\""), "datatype INT32");
        assertBad(good.replace("\"datatype\": \"FP32\"", "\"datatype\": \"BOOL\""), "datatype BOOL");
        assertBad(good.replace("\"shape\": [2, 13]", "\"shape\": [3, 13]"), "needs 39 elements but the data has 26");
        assertBad(good.replace("\"shape\": [2, 13]", "\"shape\": [-2, -13]"), "negative dimension");
        assertBad(good.replace("\"shape\": [2, 13]", "\"shape\": [4611686018427387904, 13]"), "overflows");
        assertBad(good.replace("\"shape\": [2, 26]", "\"shape\": [1, 52]"), "must be [batch, 26]");
        assertBad(good.replace("\"datatype\": \"INT64\"", "\"datatype\": \"FP32\""), "datatype FP32 does not match");
        assertBad("{\"inputs\": [", "malformed JSON");
        assertBad("[1, 2]", "must be a JSON object");
        assertBad("{\"inputs\": [{\"name\": \"dense\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": "
                + "[[[[[[[[[[[1]]]]]]]]]]]}]}", "nested deeper");
        assertBad(good.replace("\"parameters\"", "\"x\"").replace("{\"id\": \"r1\",", "{\"id\": \"r1\", "
                + "\"outputs\": [{\"name\": \"scores\"}],"), "unknown output scores");
    }

    @Test
    void shouldRejectMalformedBinaryRequestsNamingTheProblem() throws Exception {
        Requests.Binary good = Requests.dlrmBinary(fixture.batch(7, 2), true);
        HttpResponse<byte[]> tooLong = fixture.postBinary("dlrm_ensemble", good.body(),
                Integer.toString(good.body().length + 10));
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(new String(tooLong.body(), StandardCharsets.UTF_8)).contains("exceeds the body length");
        HttpResponse<byte[]> notNumber = fixture.postBinary("dlrm_ensemble", good.body(), "twelve");
        assertThat(notNumber.statusCode()).isEqualTo(400);
        assertThat(new String(notNumber.body(), StandardCharsets.UTF_8)).contains("not a number");
        byte[] truncated = java.util.Arrays.copyOf(good.body(), good.body().length - 8);
        HttpResponse<byte[]> shortBody = fixture.postBinary("dlrm_ensemble", truncated,
                Integer.toString(good.headerLength()));
        assertThat(shortBody.statusCode()).isEqualTo(400);
        assertThat(new String(shortBody.body(), StandardCharsets.UTF_8)).contains("categorical", "past the end");
        String header = new String(good.body(), 0, good.headerLength(), StandardCharsets.UTF_8);
        Requests.Binary wrongShape = Requests.Binary.of(header.replace("\"shape\": [2, 13]", "\"shape\": [3, 13]"),
                java.util.Arrays.copyOfRange(good.body(), good.headerLength(), good.body().length));
        HttpResponse<byte[]> mismatch = fixture.postBinary("dlrm_ensemble", wrongShape.body(),
                Integer.toString(wrongShape.headerLength()));
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(new String(mismatch.body(), StandardCharsets.UTF_8)).contains("dense", "needs 39 elements");
    }

    @Test
    void shouldAnswer413ForABodyOverTheLimit() throws Exception {
        byte[] big = new byte[GatewayFixture.MAX_BODY_BYTES + 1024];
        HttpResponse<byte[]> response = fixture.postBinary("dlrm_ensemble", big, "16");
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("exceeds the limit");
    }

    @Test
    void shouldShedLoadWith429AndRetryAfterWhenTheQueueIsFull() throws Exception {
        String body = Requests.dlrm(fixture.batch(8, 1), true, "");
        CompletableFuture<HttpResponse<String>> first = async("dlrm_held", body);
        await(() -> fixture.scoring.held(), 1);
        CompletableFuture<HttpResponse<String>> second = async("dlrm_held", body);
        await(() -> queued("dlrm_held"), 1);
        HttpResponse<String> third = fixture.postJson("dlrm_held", body);
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).contains("1");
        assertThat(error(third)).contains("queue full");
        fixture.scoring.releaseHeld();
        assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        await(() -> fixture.scoring.held(), 1);
        fixture.scoring.releaseHeld();
        assertThat(second.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer504WhenTheDeadlinePassesAndCancelTheBackendRequest() throws Exception {
        int cancelled = fixture.scoring.cancellations();
        HttpResponse<String> response = fixture.postJson("dlrm_held",
                Requests.dlrm(fixture.batch(9, 1), true, "{\"timeout\": 200000}"));
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(error(response)).contains("deadline exceeded", "timeout_us=200000");
        await(() -> fixture.scoring.cancellations(), cancelled + 1);
    }

    @Test
    void shouldCancelTheBackendRequestWhenTheClientDisconnects() throws Exception {
        int cancelled = fixture.scoring.cancellations();
        try (Socket socket = new Socket("127.0.0.1", fixture.port)) {
            sendRaw(socket, "dlrm_held", Requests.dlrm(fixture.batch(10, 1), true, ""));
            await(() -> fixture.scoring.held(), 1);
        }
        await(() -> fixture.scoring.cancellations(), cancelled + 1);
        assertThat(fixture.scoring.held()).isZero();
    }

    @Test
    void shouldReportTritonStatisticsAndPrometheusMetrics() throws Exception {
        Batch batch = fixture.batch(11, 5);
        assertThat(fixture.postJson("dlrm_default_keys", Requests.dlrm(batch, true, "")).statusCode()).isEqualTo(200);
        JsonNode all = JSON.readTree(fixture.get("/v2/models/stats").body()).get("model_stats");
        assertThat(all.size()).isEqualTo(GatewayFixture.MODEL_COUNT);
        JsonNode stats = JSON.readTree(fixture.get("/v2/models/dlrm_default_keys/stats").body())
                .get("model_stats").get(0);
        assertThat(stats.get("name").asString()).isEqualTo("dlrm_default_keys");
        assertThat(stats.get("version").asString()).isEqualTo("1");
        assertThat(stats.get("last_inference").asLong()).isPositive();
        JsonNode inference = stats.get("inference_stats");
        for (String part : List.of("success", "fail", "queue", "compute_input", "compute_infer", "compute_output")) {
            assertThat(inference.get(part).has("count")).as(part).isTrue();
            assertThat(inference.get(part).has("ns")).as(part).isTrue();
        }
        assertThat(inference.get("success").get("count").asLong()).isPositive();
        assertThat(inference.get("compute_infer").get("ns").asLong()).isPositive();

        String metrics = fixture.getManagement("/actuator/prometheus").body();
        for (String name : List.of("nv_inference_request_success", "nv_inference_request_failure",
                "nv_inference_count", "nv_inference_exec_count", "nv_inference_request_duration_us",
                "nv_inference_queue_duration_us", "nv_inference_compute_input_duration_us",
                "nv_inference_compute_infer_duration_us", "nv_inference_compute_output_duration_us")) {
            assertThat(metrics).contains(name + "{");
        }
        assertThat(metrics).containsPattern("nv_inference_count\\{[^}]*model=\"dlrm_default_keys\"[^}]*version=\"1\"");
    }

    @Test
    void shouldMapBackendErrorCodesToHttpStatuses() throws Exception {
        Map<String, Integer> expected = Map.of("OVERLOADED", 503, "NOT_READY", 503, "INTERNAL", 502,
                "DEADLINE_EXCEEDED", 504, "TOO_MANY_KEYS", 400, "MALFORMED_FRAME", 400);
        String body = Requests.dlrm(fixture.batch(12, 2), true, "");
        for (String code : GatewayFixture.ERROR_CODES) {
            HttpResponse<String> response = fixture.postJson("dlrm_" + code.toLowerCase(Locale.ROOT), body);
            assertThat(response.statusCode()).as(code).isEqualTo(expected.get(code));
            assertThat(error(response)).as(code).contains(code, "refused as asked");
            assertThat(response.headers().firstValue("Retry-After").isPresent()).as(code)
                    .isEqualTo(expected.get(code) == 503);
        }
    }

    @Test
    void shouldRejectABatchOverTheModelsMaxBatchSize() throws Exception {
        HttpResponse<String> response = fixture.postJson("dlrm_default_keys",
                Requests.dlrm(fixture.batch(13, 33), false, ""));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error(response)).contains("batch size 33 is outside [1, 32]");
    }

    @Test
    void shouldLookUpEmbeddingsFromBinaryTensorsIntoBinaryOutput() throws Exception {
        int tables = fixture.model.tables().size();
        int dim = fixture.model.tables().getFirst().dimension();
        ByteBuffer tensors = ByteBuffer.allocate(8 * tables + 4 * tables).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < tables; t++) {
            tensors.putLong(t % fixture.model.tables().get(t).rows());
        }
        for (int t = 0; t < tables; t++) {
            tensors.putInt(1);
        }
        String header = """
                {"inputs": [
                 {"name": "KEYS", "datatype": "INT64", "shape": [%d], "parameters": {"binary_data_size": %d}},
                 {"name": "NUMKEYS", "datatype": "INT32", "shape": [%d], "parameters": {"binary_data_size": %d}}],
                 "parameters": {"binary_data_output": true}}
                """.formatted(tables, 8 * tables, tables, 4 * tables);
        Requests.Binary request = Requests.Binary.of(header, tensors.array());
        HttpResponse<byte[]> response = fixture.postBinary("embedding", request.body(),
                Integer.toString(request.headerLength()));
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        int headerLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length")
                .orElseThrow());
        JsonNode output = JSON.readTree(new String(response.body(), 0, headerLength, StandardCharsets.UTF_8))
                .get("outputs").get(0);
        assertThat(output.get("shape").toString()).isEqualTo("[" + tables * dim + "]");
        ByteBuffer vectors = ByteBuffer.wrap(response.body(), headerLength, response.body().length - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(vectors.remaining()).isEqualTo(4 * tables * dim);
        for (int t = 0; t < tables; t++) {
            float[] vector = fixture.model.vector(t, t % fixture.model.tables().get(t).rows());
            for (int e = 0; e < dim; e++) {
                assertThat(vectors.getFloat()).isEqualTo(vector[e]);
            }
        }
    }

    @Test
    void shouldRejectInconsistentEmbeddingInputs() throws Exception {
        int tables = fixture.model.tables().size();
        String ones = "[" + "1,".repeat(tables - 1) + "1]";
        String keys = "[" + "0,".repeat(tables - 1) + "0]";
        assertEmbeddingBad(embedding("[" + tables + "]", keys, "[" + (tables - 1) + "]", ones.replaceFirst("1,", "")),
                "NUMKEYS: " + (tables - 1) + " counts for the " + tables);
        assertEmbeddingBad(embedding("[" + tables + "]", keys, "[" + tables + "]", ones.replaceFirst("1", "2")),
                "NUMKEYS adds up to " + (tables + 1) + " keys but KEYS has " + tables);
        assertEmbeddingBad(embedding("[" + tables + "]", keys, "[" + tables + "]", ones.replaceFirst("1", "-1")),
                "count of table 0 is negative");
        assertEmbeddingBad(embedding("[" + tables + "]", keys, "[" + tables + "]",
                ones.replaceFirst("1", "9999999999")), "out of range");
        assertEmbeddingBad(embedding("[2, " + tables / 2 + "]", keys, "[" + tables + "]", ones),
                "must be [n] or [1, n]");
    }

    private static String embedding(String keysShape, String keys, String countsShape, String counts) {
        return """
                {"inputs": [{"name": "KEYS", "datatype": "INT64", "shape": %s, "data": %s},
                 {"name": "NUMKEYS", "datatype": "INT32", "shape": %s, "data": %s}]}
                """.formatted(keysShape, keys, countsShape, counts);
    }

    private static void assertEmbeddingBad(String json, String fragment) throws Exception {
        HttpResponse<String> response = fixture.postJson("embedding", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(error(response)).contains(fragment);
    }

    @Test
    void shouldKeepABatchGoingWhenOnlySomeOfItsClientsDisconnect() throws Exception {
        int cancelled = fixture.scoring.cancellations();
        Batch leaving = fixture.batch(14, 1);
        Batch staying = fixture.batch(15, 1);
        CompletableFuture<HttpResponse<String>> stayed;
        try (Socket socket = new Socket("127.0.0.1", fixture.port)) {
            sendRaw(socket, "dlrm_held_batched", Requests.dlrm(leaving, true, ""));
            await(() -> queued("dlrm_held_batched"), 1);
            stayed = async("dlrm_held_batched", Requests.dlrm(staying, true, ""));
            await(() -> fixture.scoring.held(), 1);
        }
        await(() -> queued("dlrm_held_batched") == 0 ? 1 : 0, 1);
        fixture.scoring.releaseHeld();
        HttpResponse<String> response = stayed.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(scores(response.body())).containsExactly(expected(staying));
        assertThat(fixture.scoring.cancellations()).isEqualTo(cancelled);
        JsonNode stats = JSON.readTree(fixture.get("/v2/models/dlrm_held_batched/stats").body()).get("model_stats")
                .get(0);
        assertThat(stats.get("batch_stats").get(0).get("batch_size").asInt()).isEqualTo(2);
    }

    private static void sendRaw(Socket socket, String model, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v2/models/" + model + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static CompletableFuture<HttpResponse<String>> async(String model, String body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return fixture.postJson(model, body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static int queued(String model) throws Exception {
        String metrics = fixture.getManagement("/actuator/prometheus").body();
        return metrics.lines().filter(l -> l.startsWith("nv_inference_pending_request_count{")
                        && l.contains("model=\"" + model + "\""))
                .mapToInt(l -> (int) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    private static void await(ThrowingIntSupplier value, int atLeast) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (value.get() < atLeast) {
            assertThat(System.nanoTime()).as("waited for value >= " + atLeast).isLessThan(end);
            Thread.sleep(10);
        }
    }

    private interface ThrowingIntSupplier {
        int get() throws Exception;
    }

    private static void assertBad(String json, String fragment) throws Exception {
        HttpResponse<String> response = fixture.postJson("dlrm_ensemble", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(error(response)).contains(fragment);
    }

    private static String error(HttpResponse<String> response) {
        return JSON.readTree(response.body()).get("error").asString();
    }
}
