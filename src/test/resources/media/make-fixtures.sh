#!/usr/bin/env bash
# Makes the Matroska test media of io.kvsgateway.media (issue 3). Made with:
#   ffmpeg version 5.1.9-0+deb12u1 (Debian 12), libx264, libx265, native aac.
# Every file is small (320x180, low bitrates, 6 s), has 1-second Clusters, and each Cluster starts with a
# video keyframe (-g 30 -keyint_min 30 -sc_threshold 0 at 30 fps), i.e. is one KVS-shaped fragment.
#
#   h264.mkv         H.264 video only
#   h264-aac.mkv     H.264 + AAC (48 kHz mono), -shortest so the last Cluster is not audio only
#   h265.mkv         H.265 video only
#   h264-live.mkv    H.264 written to a pipe with -live 1: unknown-size Segment and Clusters, as a live
#                    producer sends them (no Cues, no SeekHead sizes patched afterwards). ffmpeg still gives
#                    each Cluster a size (it buffers a Cluster before writing it), so:
#   h264-kvs.mkv     h264-live.mkv rewritten the way producer-c sends it: every Cluster of unknown size, each
#                    followed by a Tags element with a metadata tag (fragment=N) and the KVS end-of-fragment
#                    marker AWS_KINESISVIDEO_END_OF_FRAGMENT (empty value). Cluster contents are copied as is.
#
# With --heavy DIR it also writes DIR/h264-720p-4M.mkv (1280x720, 4 Mbit/s, 10 s) for the JMH benchmark;
# that file is larger than 1 MB and is not committed.
set -euo pipefail
cd "$(dirname "$0")"
common=(-hide_banner -loglevel error -y -fflags +bitexact -flags:v +bitexact -flags:a +bitexact)
video=(-f lavfi -i testsrc=size=320x180:rate=30)
audio=(-f lavfi -i sine=frequency=440:sample_rate=48000)
gop=(-g 30 -keyint_min 30 -sc_threshold 0 -bf 0 -pix_fmt yuv420p)
mkv=(-cluster_time_limit 1000 -f matroska)

if [ "${1:-}" = "--heavy" ]; then
	out="${2:?usage: make-fixtures.sh --heavy DIR}"
	mkdir -p "$out"
	ffmpeg "${common[@]}" -f lavfi -i testsrc=size=1280x720:rate=30 "${audio[@]}" -t 10 \
		-c:v libx264 -preset veryfast "${gop[@]}" -b:v 4M -maxrate 4M -bufsize 8M \
		-c:a aac -b:a 64k -shortest "${mkv[@]}" "$out/h264-720p-4M.mkv"
	exit 0
fi

ffmpeg "${common[@]}" "${video[@]}" -t 6 \
	-c:v libx264 -preset veryfast "${gop[@]}" -b:v 300k "${mkv[@]}" h264.mkv
ffmpeg "${common[@]}" "${video[@]}" "${audio[@]}" -t 6 \
	-c:v libx264 -preset veryfast "${gop[@]}" -b:v 300k -c:a aac -b:a 32k -ac 1 -shortest "${mkv[@]}" h264-aac.mkv
ffmpeg "${common[@]}" "${video[@]}" -t 6 \
	-c:v libx265 -preset veryfast -x265-params log-level=error:keyint=30:min-keyint=30:scenecut=0:bframes=0 \
	-pix_fmt yuv420p -b:v 200k "${mkv[@]}" h265.mkv
ffmpeg "${common[@]}" "${video[@]}" -t 6 \
	-c:v libx264 -preset veryfast "${gop[@]}" -b:v 300k -live 1 "${mkv[@]}" - > h264-live.mkv

python3 - <<'PY'
def vint(data, p, keep_marker):
    first = data[p]
    length = 9 - first.bit_length()
    value = first if keep_marker else first & (0xFF >> length)
    for i in range(1, length):
        value = (value << 8) | data[p + i]
    return value, length

def size(n):  # EBML size, 8 bytes: simple and always valid
    return bytes([0x01]) + n.to_bytes(7, "big")

def element(id_bytes, payload):
    return id_bytes + size(len(payload)) + payload

def tag(name, value):
    simple = element(b"\x45\xa3", name.encode()) + element(b"\x44\x87", value.encode())
    return element(b"\x73\x73", element(b"\x67\xc8", simple))

data = open("h264-live.mkv", "rb").read()
out = bytearray()
p = 0
fragment = 0
while p < len(data):
    element_id, id_length = vint(data, p, True)
    value, size_length = vint(data, p + id_length, False)
    start = p + id_length + size_length
    if element_id == 0x18538067:  # Segment: already of unknown size, enter it
        out += data[p:start]
        p = start
        continue
    end = start + value
    if element_id == 0x1F43B675:  # Cluster: unknown size, then the KVS end-of-fragment Tags
        out += data[p:p + id_length] + b"\x01\xff\xff\xff\xff\xff\xff\xff" + data[start:end]
        fragment += 1
        out += element(b"\x12\x54\xc3\x67",
                       tag("fragment", str(fragment)) + tag("AWS_KINESISVIDEO_END_OF_FRAGMENT", ""))
    else:
        out += data[p:end]
    p = end
open("h264-kvs.mkv", "wb").write(out)
PY

ls -l ./*.mkv
