# Shared by scripts/device-vxlan-path and scripts/lab: the pieces of a VXLAN path built out of
# network namespaces. A box's end realises what ensm writes on a box that terminates VXLAN (a VXLAN
# device with the VNI, local = the box's VTEP, remote = the node, bridged to a layer-3 interface
# holding the box's address, as a VLAN with an irb unit); a node's end stands for the caller's NSM
# forwarder (its VXLAN device bridged to a veth into the pod). Source it; it defines functions only.
# Needs root and iproute2 (with the kernel's vxlan, bridge and veth modules).

# vxlan_underlay NS_A IF_A IP_A NS_B IF_B IP_B: a veth cable IF_A (in NS_A) -- IF_B (in NS_B), each
# end holding its address as /32 (unless its namespace already holds it) and a host route to the
# other's. A node keeps one address (its VTEP) for the tunnels to every box.
vxlan_underlay() {
    local ns_a=$1 if_a=$2 ip_a=$3 ns_b=$4 if_b=$5 ip_b=$6 ns dev ip
    ip link add "$if_a" netns "$ns_a" type veth peer name "$if_b" netns "$ns_b"
    for ns in "$ns_a" "$ns_b"; do ip -n "$ns" link set lo up; done
    while read -r ns dev ip; do
        ip -n "$ns" -o addr show | grep -q " inet $ip/" || ip -n "$ns" addr add "$ip/32" dev "$dev"
        ip -n "$ns" link set "$dev" up
    done <<EOF
$ns_a $if_a $ip_a
$ns_b $if_b $ip_b
EOF
    ip -n "$ns_a" route add "$ip_b/32" dev "$if_a"
    ip -n "$ns_b" route add "$ip_a/32" dev "$if_b"
}

# vxlan_box_end NS VNI VTEP NODE PORT ADDR/LEN MTU: the box's VLAN with its VXLAN mapping and static
# remote VTEP (vx0: VNI, local VTEP, remote NODE, UDP PORT), bridged to the irb unit's address.
vxlan_box_end() {
    local ns=$1 vni=$2 vtep=$3 node=$4 port=$5 addr=$6 mtu=$7
    ip -n "$ns" link add vx0 type vxlan id "$vni" local "$vtep" remote "$node" dstport "$port" nolearning
    ip -n "$ns" link add irb type bridge
    ip -n "$ns" link set vx0 master irb
    ip -n "$ns" link set irb mtu "$mtu"
    ip -n "$ns" addr add "$addr" dev irb
    ip -n "$ns" link set vx0 up
    ip -n "$ns" link set irb up
}

# vxlan_node_end NODE_NS POD_NS POD_IF VNI LOCAL REMOTE PORT MTU: the caller's forwarder ends its side
# of the tunnel (vx0: VNI, LOCAL, REMOTE, UDP PORT) and bridges it to POD_IF in the pod, whose MTU is
# the connection's. The pod's address is the caller's to set.
vxlan_node_end() {
    local node=$1 pod=$2 pod_if=$3 vni=$4 local_ip=$5 remote=$6 port=$7 mtu=$8 l
    ip -n "$node" link add vx0 type vxlan id "$vni" local "$local_ip" remote "$remote" dstport "$port" nolearning
    ip -n "$node" link add br0 type bridge
    ip link add nsm0 netns "$node" type veth peer name "$pod_if" netns "$pod"
    ip -n "$node" link set vx0 master br0
    ip -n "$node" link set nsm0 master br0
    for l in vx0 nsm0 br0; do
        ip -n "$node" link set "$l" up
    done
    ip -n "$pod" link set lo up
    ip -n "$pod" link set "$pod_if" mtu "$mtu"
    ip -n "$pod" link set "$pod_if" up
}

# vxlan_rx NS [DEV]: packets DEV (default vx0) in NS has received.
vxlan_rx() {
    ip -n "$1" -s link show dev "${2:-vx0}" | awk '/RX:/ { getline; print $2; exit }'
}
