package io.ensm.netconf.backend;

import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.transaction.FenceLeaf;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fence of one endpoint on its box: a word {@code ensm-fence@<cluster>:<token>} in the
 * description of the endpoint's parent port. The rest of the description is the operator's and is
 * kept as it is; another cluster's word on the same port is another cluster's fence and is kept too.
 */
public final class PortFence implements FenceLeaf {
    public static final String PREFIX = "ensm-fence@";

    private final Driver driver;
    private final String port;
    private final Pattern word;
    private final String cluster;

    public PortFence(Driver driver, String port, String cluster) {
        if (cluster == null || cluster.isBlank() || cluster.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("fence: the cluster name '" + cluster + "' must be one word");
        }
        this.driver = driver;
        this.port = port;
        this.cluster = cluster;
        this.word = Pattern.compile("(^|\\s)" + Pattern.quote(PREFIX + cluster + ":") + "(\\d{1,18})(?=\\s|$)");
    }

    @Override
    public String readFilter() {
        return driver.portDescriptionFilter(port);
    }

    @Override
    public OptionalLong token(String dataXml) {
        String description = driver.portDescription(dataXml, port).orElse("");
        Matcher m = word.matcher(description);
        long newest = -1;
        while (m.find()) {
            newest = Math.max(newest, Long.parseLong(m.group(2)));
        }
        return newest < 0 ? OptionalLong.empty() : OptionalLong.of(newest);
    }

    @Override
    public String render(String dataXml, long token) {
        return driver.renderPortDescription(port, withToken(driver.portDescription(dataXml, port).orElse(""), token));
    }

    /** The description with this cluster's word replaced by (or, when absent, followed by) the token's. */
    String withToken(String description, long token) {
        String rest = word.matcher(description).replaceAll("$1").strip().replaceAll("\\s{2,}", " ");
        String own = PREFIX + cluster + ":" + token;
        return rest.isEmpty() ? own : rest + " " + own;
    }

    @Override
    public String label() {
        return "the description of port " + port;
    }
}
