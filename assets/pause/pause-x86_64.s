.intel_syntax noprefix
.set BASE, 0x400000
ehdr:
 .byte 0x7f, 'E', 'L', 'F', 2, 1, 1, 0
 .quad 0
 .word 2
 .word 0x3e
 .long 1
 .quad BASE + (_start - ehdr)
 .quad phdr - ehdr
 .quad 0
 .long 0
 .word 64
 .word 56
 .word 1
 .word 0, 0, 0
phdr:
 .long 1
 .long 5
 .quad 0
 .quad BASE
 .quad BASE
 .quad end - ehdr
 .quad end - ehdr
 .quad 0x1000
_start:
 mov edi, 15
 call install
 mov edi, 2
 call install
wait:
 mov eax, 34
 syscall
 jmp wait
install:
 mov eax, 13
 lea rsi, [rip + act]
 xor edx, edx
 mov r10d, 8
 syscall
 ret
handler:
 mov eax, 231
 xor edi, edi
 syscall
act:
 .quad BASE + (handler - ehdr)
 .quad 0x04000000
 .quad BASE + (handler - ehdr)
 .quad 0
end:
