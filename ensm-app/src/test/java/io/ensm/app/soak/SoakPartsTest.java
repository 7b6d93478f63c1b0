package io.ensm.app.soak;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The soak's own parsing: Prometheus lines and its arguments (the soak itself runs against the lab). */
class SoakPartsTest {
    private static final String METRICS = """
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1048576.0
            jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2097152.0
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9999999.0
            jvm_memory_used_bytes_total{area="heap"} 5.0
            jvm_threads_live_threads 63.0
            ensm_connections_active 4.0
            """;

    @Test
    void heapIsTheSumOfTheHeapPoolsOnly() {
        assertThat(Sampler.sum(METRICS, "jvm_memory_used_bytes", "area=\"heap\"")).isEqualTo(3145728.0);
    }

    @Test
    void aMetricWithoutLabelsIsReadAndAMissingOneIsMinusOne() {
        assertThat(Sampler.sum(METRICS, "jvm_threads_live_threads", "")).isEqualTo(63.0);
        assertThat(Sampler.sum(METRICS, "ensm_connections_active", "")).isEqualTo(4.0);
        assertThat(Sampler.sum(METRICS, "ensm_connections", "")).isEqualTo(-1.0);
    }

    @Test
    void argumentsAreParsedWithDefaults() {
        SoakOptions o = SoakOptions.parse(args("rate=2.5", "minutes=0.5"));
        assertThat(o.endpoints()).isEqualTo(List.of("box-2", "box-3"));
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.rate()).isEqualTo(2.5);
        assertThat(o.sampleEvery()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.service()).isEqualTo("fabric-breakout");
    }

    @Test
    void aMissingArgumentOrARateOutOfRangeIsNamed() {
        assertThatThrownBy(() -> SoakOptions.parse(new String[] {"rate=1"})).hasMessageContaining("missing argument");
        assertThatThrownBy(() -> SoakOptions.parse(args("rate=0", "minutes=1"))).hasMessageContaining("rate must be");
        assertThatThrownBy(() -> SoakOptions.parse(new String[] {"rate"})).hasMessageContaining("not key=value");
    }

    private static String[] args(String rate, String minutes) {
        return new String[] {"address=127.0.0.1:1", "actuator-port=2", "pid=3", "ensm-netns=n", "pod-netns=p",
                "ping-ip=172.16.0.1", "endpoints=box-2, box-3,", "src-ip=10.99.0.1", rate, minutes, "out=/tmp/x"};
    }
}
