.set BASE, 0x400000
ehdr:
 .byte 0x7f, 'E', 'L', 'F', 2, 1, 1, 0
 .quad 0
 .hword 2
 .hword 0xb7
 .word 1
 .quad BASE + (_start - ehdr)
 .quad phdr - ehdr
 .quad 0
 .word 0
 .hword 64
 .hword 56
 .hword 1
 .hword 0, 0, 0
phdr:
 .word 1
 .word 5
 .quad 0
 .quad BASE
 .quad BASE
 .quad end - ehdr
 .quad end - ehdr
 .quad 0x10000
_start:
 mov x0, #15
 bl install
 mov x0, #2
 bl install
wait:
 mov x0, #0
 mov x1, #0
 mov x2, #0
 mov x3, #0
 mov x4, #8
 mov x8, #73
 svc #0
 b wait
install:
 adr x1, act
 mov x2, #0
 mov x3, #8
 mov x8, #134
 svc #0
 ret
handler:
 mov x0, #0
 mov x8, #94
 svc #0
 .balign 8
act:
 .quad BASE + (handler - ehdr)
 .quad 0
 .quad 0
 .quad 0
end:
