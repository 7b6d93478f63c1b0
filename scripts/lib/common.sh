# Shared by the scripts in scripts/: finding a JDK >= 25, the ensm-app jar, and installing
# Debian packages once. Source it; it defines functions only.

ENSM_MIN_JAVA=25
ENSM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Prints the feature version (e.g. 25) of the JDK in $1, or nothing.
ensm_java_feature() {
    local home=$1 version=""
    [[ -x "$home/bin/java" ]] || return 0
    if [[ -f "$home/release" ]]; then
        version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    if [[ -z "$version" ]]; then
        version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
    fi
    version=${version#1.}
    echo "${version%%[.+-]*}"
}

# Prints a JDK home >= 25: JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
ensm_java_home() {
    local v best="" best_v=0 dir
    if [[ -n "${JAVA_HOME:-}" ]]; then
        v=$(ensm_java_feature "$JAVA_HOME")
        if [[ -n "$v" && "$v" -ge $ENSM_MIN_JAVA ]]; then
            echo "$JAVA_HOME"
            return 0
        fi
    fi
    for dir in /usr/lib/jvm/*; do
        [[ -d "$dir" && ! -L "$dir" ]] || continue
        v=$(ensm_java_feature "$dir")
        if [[ -n "$v" && "$v" -ge $ENSM_MIN_JAVA && "$v" -gt $best_v ]]; then
            best=$dir
            best_v=$v
        fi
    done
    [[ -n "$best" ]] && echo "$best"
    return 0
}

# Exports JAVA_HOME to a JDK >= 25 or exits with a message.
ensm_require_java() {
    local home
    home=$(ensm_java_home)
    if [[ -z "$home" ]]; then
        echo "$(basename "$0"): no JDK >= $ENSM_MIN_JAVA found: set JAVA_HOME or install one under /usr/lib/jvm" >&2
        exit 2
    fi
    export JAVA_HOME=$home
    export PATH="$JAVA_HOME/bin:$PATH"
}

# Installs the named Debian packages that are missing; runs apt-get update once per call.
ensm_apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    echo "installing Debian packages: ${missing[*]}" >&2
    # Another install on the machine may hold dpkg's lock: wait for it rather than fail.
    $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Prints the path of the ensm-app executable jar, or nothing.
ensm_app_jar() {
    local jar
    for jar in "$ENSM_ROOT"/ensm-app/target/ensm-app-*.jar; do
        [[ -f "$jar" && "$jar" != *-plain.jar ]] && { echo "$jar"; return 0; }
    done
    return 0
}
