package io.ensm.netconf.driver;

import org.junit.jupiter.api.Test;
import org.onlab.packet.IpAddress;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.MacAddress;
import org.onlab.packet.VlanId;
import org.onosproject.net.ConnectPoint;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.host.InterfaceIpAddress;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ONOS value types work with every transitive dependency of onos-api excluded (Guava is the
 * only library they load), and the excluded stacks really are absent from the class path.
 */
class OnosModelTypesTest {

    @Test
    void valueTypesConstructValidateAndCompareWithoutTheExcludedLibraries() {
        assertThat(VlanId.vlanId((short) 100)).isEqualTo(VlanId.vlanId("100")).hasToString("100");
        assertThatThrownBy(() -> VlanId.vlanId((short) 5000)).isInstanceOf(IllegalArgumentException.class);

        IpAddress v6 = IpAddress.valueOf("2001:DB8:0:0::1");
        assertThat(v6).hasToString("2001:db8::1").isEqualTo(IpAddress.valueOf("2001:db8::1"));
        assertThat(IpPrefix.valueOf("172.16.0.1/31")).hasToString("172.16.0.0/31");
        assertThat(IpPrefix.valueOf("172.16.0.0/31").contains(IpAddress.valueOf("172.16.0.1"))).isTrue();
        // Literals only: a host name is refused, never looked up.
        assertThatThrownBy(() -> IpAddress.valueOf("localhost")).isInstanceOf(IllegalArgumentException.class);

        InterfaceIpAddress a = InterfaceIpAddress.valueOf("172.16.0.1/31");
        assertThat(a.ipAddress()).isEqualTo(IpAddress.valueOf("172.16.0.1"));
        assertThat(a.subnetAddress().prefixLength()).isEqualTo(31);
        assertThat(a).isEqualTo(new InterfaceIpAddress(IpAddress.valueOf("172.16.0.1"), IpPrefix.valueOf("172.16.0.0/31")));
        assertThat(a.toString()).contains("172.16.0.1");

        MacAddress mac = MacAddress.valueOf("02:00:5e:10:00:01");
        assertThat(mac).hasToString("02:00:5E:10:00:01");
        assertThatThrownBy(() -> MacAddress.valueOf("02:00")).isInstanceOf(IllegalArgumentException.class);

        DeviceId device = DeviceId.deviceId("netconf:127.0.0.1:830");
        PortNumber port = PortNumber.portNumber(1, "eth1");
        ConnectPoint point = new ConnectPoint(device, port);
        assertThat(point.deviceId()).isEqualTo(device);
        assertThat(point.port().name()).isEqualTo("eth1");
        assertThat(point.toString()).contains("netconf:127.0.0.1:830");
        assertThat(point).isEqualTo(new ConnectPoint(DeviceId.deviceId("netconf:127.0.0.1:830"), PortNumber.portNumber(1)));
        assertThat(point.hashCode()).isEqualTo(new ConnectPoint(device, PortNumber.portNumber(1)).hashCode());
    }

    @Test
    void excludedDependenciesAreNotOnTheClassPath() {
        List<String> absent = List.of(
                "org.apache.karaf.features.FeaturesService",       // Karaf
                "org.osgi.framework.Bundle",                       // OSGi core
                "org.osgi.service.component.annotations.Component",
                "org.glassfish.jersey.server.ResourceConfig",      // Jersey (onlab-rest)
                "org.jboss.netty.channel.Channel",                 // Netty 3
                "io.netty.buffer.ByteBuf",                         // Netty 4, unshaded
                "com.esotericsoftware.kryo.Kryo",                  // Kryo
                "com.fasterxml.jackson.databind.ObjectMapper",     // Jackson
                "com.codahale.metrics.MetricRegistry",             // Dropwizard metrics
                "org.apache.commons.configuration.Configuration",  // commons-* (commons-lang3 is not listed:
                                                                   // ensm-core's SPIFFE client brings it)
                "org.joda.time.DateTime",
                "org.onlab.osgi.ServiceDirectory");                // onlab-osgi
        ClassLoader loader = getClass().getClassLoader();
        for (String name : absent) {
            assertThatThrownBy(() -> Class.forName(name, false, loader)).as(name)
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }
}
