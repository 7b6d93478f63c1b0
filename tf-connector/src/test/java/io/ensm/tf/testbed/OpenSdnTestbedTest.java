package io.ensm.tf.testbed;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The test bed: a running server answers, its build is reused, and it is an empty TF of OpenSDN's making. */
@RealOpenSdn
class OpenSdnTestbedTest {

    @Test
    void statusNamesTheRunningServerAndAnotherBuildReusesTheCache(OpenSdn server) {
        OpenSdn.Result status = server.script(30, "status");
        OpenSdn.Result build = server.script(120, "build");

        assertThat(status.exitCode()).isZero();
        assertThat(status.output()).contains(server.url());
        assertThat(build.exitCode()).as(build.output()).isZero();
        assertThat(build.output()).doesNotContain("building");
        assertThat(server.commits()).contains("tf-controller@fbb63bcd60f245b54397d63cb4232b481cfc1126");
    }

    @Test
    void tfsOwnDefaultFabricIsEnterpriseStyleAndStaysSo(OpenSdn server) {
        TfRest rest = new TfRest(server.url());
        String uuid = rest.uuidOf("fabric", List.of(TfWorld.GSC, "default-fabric"));
        ObjectNode fabric = rest.fields("fabric", uuid);

        TfRest.Answer change = rest.put("/fabric/" + uuid, "{\"fabric\": {\"fabric_enterprise_style\": false}}");

        assertThat(fabric.path("fabric_enterprise_style").asBoolean()).isTrue();
        assertThat(change.status()).isEqualTo(403);
        assertThat(rest.fields("fabric", uuid).path("fabric_enterprise_style").asBoolean()).isTrue();
    }
}
