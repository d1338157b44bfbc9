package io.hps.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class ExternalToolTest {
    @Test
    void shouldSkipWithTheReasonLocallyAndFailOnCiWhenAToolIsMissing() {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        assertThatThrownBy(() -> ExternalTool.require("hps-no-such-tool", "from nowhere"))
                .isInstanceOf(ci ? AssertionFailedError.class : TestAbortedException.class)
                .hasMessageContaining("hps-no-such-tool not found on PATH; install it (from nowhere)");
    }

    @Test
    void shouldRunAToolAndReportItsExitCodeAndOutput() {
        ExternalTool sh = ExternalTool.require("sh", "a POSIX shell");
        ExternalTool.Result result = sh.run(ProjectFiles.root(), "-c", "echo out; echo err >&2; exit 3");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.output()).contains("out", "err");
        assertThatThrownBy(result::succeeded).hasMessageContaining("exit=3");
    }
}
