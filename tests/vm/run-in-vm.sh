#!/bin/bash
# run-in-vm.sh -- lvstui's real-kernel bench (adapted from shared/labs).
# Runs a shell command inside a throw-away QEMU VM that boots a
# stock Debian kernel WITH ip_vs, using the host's root filesystem (read-only
# 9p + tmpfs overlay) as the guest root. The command's stdout goes to our
# stdout, its stderr (and guest console) to our stderr, and its exit status
# becomes ours.
#
#   usage: run-in-vm.sh 'shell command ...'
#          run-in-vm.sh -- prog arg...          (argv form, no shell parsing)
#
# env knobs:
#   KL_KVER     kernel version (default: the newest linux-image-6.1.0-*-amd64 apt knows)
#   KL_KDIR     dir holding boot/vmlinuz-$KL_KVER and lib/modules/$KL_KVER;
#               fetched on first use with: apt-get download linux-image-$KL_KVER;
#               dpkg -x linux-image-*.deb $KL_KDIR; depmod -b $KL_KDIR $KL_KVER
#               (nothing is installed into the host's /boot or /lib/modules)
#   KL_ACCEL    tcg (default) | kvm   (on this host /dev/kvm is kvm_pvm, which
#               cannot run a stock kernel: ~50x slower than TCG, then dies with
#               "KVM internal error ... emulation failure" on cmpxchg16b)
#   KL_MACHINE  q35 (default) | pc      KL_CPU  TCG cpu model (default max)
#   KL_SMP      vCPUs (default: 2)      KL_MEM  guest RAM (default 1G)
#   KL_KERNEL   boot this kernel image instead of the cached vmlinux
#   KL_RW       space-separated host dirs to share READ-WRITE (default: none;
#               everything else is read-only, guest writes land in a tmpfs)
#   KL_TIMEOUT  seconds before the VM is killed (default 300) -> exit 124
#   KL_DEBUG=1  show kernel/init messages
#   KL_TTY=1    interactive: the command's stdin, stdout and stderr are this terminal
#
# exit status: the command's exact status; 124 timeout; 125 the VM died
# without reporting one (kernel panic, qemu error).
set -euo pipefail

HERE=${LVSTUI_VM_CACHE:-/var/cache/lvstui-vm}
mkdir -p "$HERE"
if [ -z "${KL_KVER:-}" ]; then
    KL_KVER=$(ls "$HERE"/kernel/boot 2>/dev/null | sed -n "s/^vmlinuz-//p" | sort -V | tail -n1 || true)
    [ -n "$KL_KVER" ] || KL_KVER=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
        awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -n1)
    [ -n "$KL_KVER" ] || { echo "run-in-vm: no linux-image-6.1.0-*-amd64 in apt (run apt-get update)" >&2; exit 2; }
fi
KVER=$KL_KVER
KDIR=${KL_KDIR:-$HERE/kernel}
ACCEL=${KL_ACCEL:-tcg}
MACHINE=${KL_MACHINE:-q35}
SMP=${KL_SMP:-2}
MEM=${KL_MEM:-1G}
TIMEOUT=${KL_TIMEOUT:-300}
VMLINUZ=$KDIR/boot/vmlinuz-$KVER
MODDIR=$KDIR/lib/modules/$KVER
CACHE=$HERE/cache
INITRD=$CACHE/initrd-$KVER.cpio.gz

[ $# -ge 1 ] || { echo "usage: $0 'command' | $0 -- prog args..." >&2; exit 2; }
if [ ! -f "$VMLINUZ" ]; then   # one-time: unpack the Debian kernel package
    ( cd "$HERE" && apt-get download "linux-image-$KVER" &&
      dpkg -x linux-image-"$KVER"_*.deb "$KDIR" ) >&2 || { echo "cannot get $VMLINUZ" >&2; exit 2; }
fi
[ -f "$MODDIR/modules.dep" ] || depmod -b "$KDIR" "$KVER"
mkdir -p "$CACHE"

# Uncompressed ELF vmlinux: QEMU boots it through the PVH entry point, which
# skips the bzImage XZ decompression (~3 s under TCG).
VMLINUX=$CACHE/vmlinux-$KVER
[ -f "$VMLINUX" ] || python3 - "$VMLINUZ" "$VMLINUX" <<'PY'
import lzma, sys
d = open(sys.argv[1], 'rb').read()
i = d.find(b'\xfd7zXZ\x00')
assert i > 0, 'no xz payload in bzImage'
open(sys.argv[2] + '.tmp', 'wb').write(lzma.LZMADecompressor().decompress(d[i:]))
PY
[ -f "$VMLINUX" ] || mv "$VMLINUX.tmp" "$VMLINUX"
KERNEL=${KL_KERNEL:-$VMLINUX}

# ---------------------------------------------------------------- initramfs
# Built once and cached: busybox-static + the modules needed to mount 9p.
build_initrd() {
    local t; t=$(mktemp -d)
    mkdir -p "$t"/{bin,dev,proc,sys,newroot,mods}
    cp /bin/busybox "$t/bin/busybox"          # from Debian busybox-static
    ln -s busybox "$t/bin/sh"
    modprobe -d "$KDIR" -S "$KVER" -a --show-depends \
        virtio_pci 9pnet_virtio 9p overlay |
        awk '$1=="insmod"{print $2}' | awk '!s[$0]++' |
        while read -r m; do cp "$m" "$t/mods/"; echo "${m##*/}"; done > "$t/mods/order"
    cat > "$t/init" <<'EOF'
#!/bin/sh
# PID 1 in the guest (busybox ash)
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sys /sys
busybox mount -t devtmpfs dev /dev
for m in $(busybox cat /mods/order); do busybox insmod /mods/$m || echo "insmod $m failed" >&2; done
set -- $(busybox cat /proc/cmdline)
for a; do case "$a" in kl.*=*) k=${a%%=*}; eval "KL_${k#kl.}=\${a#*=}";; esac; done
O="trans=virtio,version=9p2000.L,msize=512000,cache=loose"
busybox mkdir -p /lower /ovl
busybox mount -t 9p -o "ro,$O" klroot /lower || { echo "9p root mount failed" >&2; busybox poweroff -f; }
busybox mount -t tmpfs -o mode=0755 tmpfs /ovl
busybox mkdir -p /ovl/u /ovl/w
busybox mount -t overlay -o lowerdir=/lower,upperdir=/ovl/u,workdir=/ovl/w overlay /newroot \
  || { echo "overlay failed" >&2; busybox poweroff -f; }
R=/newroot
busybox mount -t proc proc $R/proc
busybox mount -t sysfs sys $R/sys
busybox mount -t devtmpfs dev $R/dev
busybox mkdir -p $R/dev/pts $R/dev/shm
busybox mount -t devpts devpts $R/dev/pts
busybox mount -t tmpfs tmpfs $R/dev/shm
busybox mount -t tmpfs tmpfs $R/run
# kernel modules of the guest kernel at the standard place (modprobe works)
busybox mkdir -p $R/usr/lib/modules/$KL_kver
busybox mount --bind $R$KL_moddir $R/usr/lib/modules/$KL_kver
# netns/cgroup niceties
busybox mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null
# per-run dir (holds cmd.sh; the exit status is written back there)
busybox mount -t 9p -o "rw,trans=virtio,version=9p2000.L,cache=none" klrun $R$KL_run
# read-write shares: tags kl_rw0.. mounted at the same path as on the host
i=0
for d in $(echo "$KL_rw" | busybox tr ',' ' '); do
  busybox mount -t 9p -o "rw,trans=virtio,version=9p2000.L,msize=512000,cache=none" kl_rw$i $R$d || echo "rw mount $d failed" >&2
  i=$((i+1))
done
busybox hostname kl-vm
busybox ip link set lo up 2>/dev/null
busybox stty -F /dev/ttyS0 -onlcr 2>/dev/null
busybox stty -F /dev/ttyS1 raw -echo clocal 2>/dev/null
# run the command (script written by the host) chrooted into the host root:
# stdout -> ttyS1 (= host stdout), stderr -> ttyS0 (= host stderr)
if [ "${KL_tty:-0}" = 1 ]; then
  busybox stty -F /dev/ttyS1 sane
  busybox chroot $R /bin/sh $KL_run/cmd.sh </dev/ttyS1 >/dev/ttyS1 2>/dev/ttyS1
else
  busybox chroot $R /bin/sh $KL_run/cmd.sh </dev/null >/dev/ttyS1 2>/dev/ttyS0
fi
rc=$?
echo $rc > $R$KL_run/rc
busybox sync
# power off fast through isa-debug-exit (qemu exits with ((rc&127)<<1)|1)
rc=$((rc & 127))
busybox printf "$(busybox printf '\\%03o' $rc)" | busybox dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
echo "KL_EXIT=$rc (isa-debug-exit did not fire)" >&2
busybox poweroff -f
EOF
    chmod 755 "$t/init"
    mkdir -p "$CACHE"
    (cd "$t" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD.tmp"
    mv "$INITRD.tmp" "$INITRD"
    rm -rf "$t"
}
[ -f "$INITRD" ] && [ "$INITRD" -nt "$0" ] || build_initrd

# ---------------------------------------------------------------- per-run script
RUN=$(mktemp -d "$HERE/runs.XXXXXX" 2>/dev/null || { mkdir -p "$HERE/runs"; mktemp -d "$HERE/runs/XXXXXX"; })
trap 'rm -rf "$RUN"' EXIT
{
    printf 'export PATH=%q HOME=%q TERM=dumb LANG=C.UTF-8\n' "$PATH" "${HOME:-/root}"
    for v in VIRTUAL_ENV PYTHONPATH; do
        [ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"
    done
    printf 'cd %q 2>/dev/null || cd /\n' "$PWD"
    if [ "$1" = "--" ]; then shift; printf 'exec'; printf ' %q' "$@"; echo
    else printf '%s\n' "$*"; fi
} > "$RUN/cmd.sh"

# ---------------------------------------------------------------- qemu
# qboot is a tiny firmware (faster than SeaBIOS; Debian ships it in qemu-system-data)
M="-M $MACHINE"; [ -f /usr/share/qemu/qboot.rom ] && M="$M -bios /usr/share/qemu/qboot.rom"
V=pci
case "$ACCEL" in
  kvm) A="-accel kvm -cpu host,-arch-capabilities" ;;
  *)   A="-accel tcg,thread=multi -cpu ${KL_CPU:-max}" ;;
esac
RWARGS=() ; RWLIST=""; i=0
for d in ${KL_RW:-}; do
    d=$(cd "$d" && pwd)
    RWARGS+=(-fsdev "local,id=rw$i,path=$d,security_model=none,multidevs=remap"
             -device "virtio-9p-$V,fsdev=rw$i,mount_tag=kl_rw$i")
    RWLIST="$RWLIST${RWLIST:+,}$d"; i=$((i+1))
done
QUIET="quiet loglevel=0"; [ "${KL_DEBUG:-}" = 1 ] && QUIET="loglevel=7"
APPEND="console=ttyS0 $QUIET panic=-1 reboot=t rdinit=/init kl.kver=$KVER kl.moddir=$MODDIR kl.run=$RUN${RWLIST:+ kl.rw=$RWLIST} kl.tty=${KL_TTY:-0}"
STDIN=/dev/null; [ "${KL_TTY:-0}" = 1 ] && STDIN=/dev/stdin

# guest console -> our stderr through a pipe (a 'file' chardev pointed at a
# regular file would fight over the file offset with our own writes)
exec 3> >(cat >&2); RELAY=$!
set +e
# shellcheck disable=SC2086
timeout --foreground -k 5 "$TIMEOUT" qemu-system-x86_64 \
    $M $A -smp "$SMP" -m "$MEM" \
    -nodefaults -no-user-config -display none -vga none -nic none -no-reboot \
    -chardev "file,id=con,path=/proc/self/fd/3,append=on" -serial chardev:con \
    -chardev "stdio,id=out,signal=off" -serial chardev:out \
    -device isa-debug-exit,iobase=0xf4,iosize=0x01 \
    -fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap" \
    -device "virtio-9p-$V,fsdev=root,mount_tag=klroot" \
    -fsdev "local,id=run,path=$RUN,security_model=none" \
    -device "virtio-9p-$V,fsdev=run,mount_tag=klrun" \
    "${RWARGS[@]}" \
    -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" <"$STDIN"
q=$?
exec 3>&-; wait "$RELAY" 2>/dev/null   # let the console relay drain
set -e
if [ -s "$RUN/rc" ]; then exit "$(cat "$RUN/rc")"; fi
if [ $q -eq 124 ] || [ $q -eq 137 ]; then echo "run-in-vm: timeout after ${TIMEOUT}s" >&2; exit 124; fi
if [ $((q & 1)) -eq 1 ]; then exit $((q >> 1)); fi
echo "run-in-vm: VM exited without reporting a status (qemu rc=$q)" >&2
exit 125
