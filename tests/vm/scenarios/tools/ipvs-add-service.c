/* ipvs-add-service: add one IPVS virtual service, as `ipvsadm -A -t
 * ADDR:PORT -s SCHED` would, for guests that have no ipvsadm (the busybox
 * initramfs of tests/vm/vm-run). Built static so that it runs there.
 *
 *   ipvs-add-service tcp|udp IPV4-ADDR PORT SCHEDULER
 *
 * Exit 0 when the kernel took the service; otherwise 1 and the reason on
 * stderr (errno of the setsockopt, as the kernel refused it). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct ip_vs_service_user svc;
	struct in_addr addr;
	char *end;
	long port;
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: %s tcp|udp IPV4-ADDR PORT SCHEDULER\n", argv[0]);
		return 2;
	}
	memset(&svc, 0, sizeof(svc));
	if (strcmp(argv[1], "tcp") == 0)
		svc.protocol = IPPROTO_TCP;
	else if (strcmp(argv[1], "udp") == 0)
		svc.protocol = IPPROTO_UDP;
	else {
		fprintf(stderr, "%s: protocol '%s' is neither tcp nor udp\n", argv[0], argv[1]);
		return 2;
	}
	if (inet_pton(AF_INET, argv[2], &addr) != 1) {
		fprintf(stderr, "%s: '%s' is not an IPv4 address\n", argv[0], argv[2]);
		return 2;
	}
	errno = 0;
	port = strtol(argv[3], &end, 10);
	if (errno || *end || end == argv[3] || port < 1 || port > 65535) {
		fprintf(stderr, "%s: '%s' is not a port number\n", argv[0], argv[3]);
		return 2;
	}
	if (strlen(argv[4]) >= sizeof(svc.sched_name)) {
		fprintf(stderr, "%s: scheduler name '%s' is too long\n", argv[0], argv[4]);
		return 2;
	}
	svc.addr = addr.s_addr;
	svc.port = htons((unsigned short)port);
	strcpy(svc.sched_name, argv[4]);
	svc.netmask = 0xffffffff;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("ipvs-add-service: socket");
		return 1;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_VS_SO_SET_ADD, &svc, sizeof(svc)) < 0) {
		fprintf(stderr, "%s: IP_VS_SO_SET_ADD %s %s:%s %s: %s\n", argv[0], argv[1],
			argv[2], argv[3], argv[4], strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}
